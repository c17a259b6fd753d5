// A device's readings in its details panel: each of its Datastreams (OGC SensorThings,
// `/sta/v1.1/Things(id)/Datastreams`) with its latest value and the last 24 hours as a
// line of per-minute means (`/api/v1/sensing/series`, the roll-ups). ECharts is loaded
// only when a device is opened, so the map page does not carry it otherwise.

import { request } from '../api';
import { t } from '../i18n';
import { h } from './dom';

interface Datastream {
  '@iot.id': number;
  name: string;
  description: string;
  unitOfMeasurement?: { symbol?: string };
}

interface Series {
  resolution: string;
  points: { t: string; mean: number; min: number; max: number; count: number }[];
}

/** The readings section of device `id`; fills itself in as the answers arrive. */
export function deviceReadings(id: number | string): HTMLElement {
  const s = t();
  const host = h('section', { class: 'device-readings', 'data-device': String(id) }, h('h3', {}, s.readingsTitle), h('p', { class: 'muted' }, s.loading));
  void fill(host, id);
  return host;
}

async function fill(host: HTMLElement, id: number | string): Promise<void> {
  const s = t();
  let streams: Datastream[];
  try {
    const doc = await request<{ value: Datastream[] }>(`/sta/v1.1/Things(${id})/Datastreams?$select=id,name,description,unitOfMeasurement`);
    streams = doc.value;
  } catch {
    host.replaceChildren(h('h3', {}, s.readingsTitle), h('p', { class: 'muted' }, s.readingsNone));
    return;
  }
  if (streams.length === 0) {
    host.replaceChildren(h('h3', {}, s.readingsTitle), h('p', { class: 'muted' }, s.readingsNone));
    return;
  }
  const charts = await import('../dashboard/echarts');
  const blocks: HTMLElement[] = [];
  for (const ds of streams.slice(0, 3)) {
    const unit = ds.unitOfMeasurement?.symbol ?? '';
    const latest = h('span', { class: 'reading-latest' }, '—');
    const plot = h('div', { class: 'reading-chart', 'data-datastream': String(ds['@iot.id']) });
    blocks.push(h('div', { class: 'reading' }, h('div', { class: 'reading-head' }, h('span', {}, ds.description || ds.name), latest), plot));
    void request<Series>(`/api/v1/sensing/series?datastream=${ds['@iot.id']}&resolution=PT1M`)
      .then((series) => {
        const pts = series.points;
        if (pts.length === 0) {
          plot.replaceChildren(h('p', { class: 'muted' }, s.readingsEmpty));
          return;
        }
        const last = pts[pts.length - 1];
        latest.textContent = `${last.mean.toFixed(2)} ${unit}`;
        plot.dataset.points = String(pts.length);
        charts.draw(plot, {
          grid: { left: 4, right: 8, top: 8, bottom: 4, containLabel: true },
          tooltip: { trigger: 'axis' },
          xAxis: { type: 'time', ...charts.axisStyle },
          yAxis: { type: 'value', scale: true, ...charts.axisStyle },
          series: [{ type: 'line', name: ds.name, showSymbol: false, data: pts.map((p) => [p.t, p.mean]) }],
        });
      })
      .catch(() => plot.replaceChildren(h('p', { class: 'muted' }, s.readingsEmpty)));
  }
  host.replaceChildren(h('h3', {}, s.readingsTitle), ...blocks);
}
