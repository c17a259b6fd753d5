// A sensor's ticket (channel `iot-sensor`) shows what the device read: its Datastream's
// last 24 hours (`/api/v1/sensing/series`, `resolution=auto`: a mean per minute over a
// day) as a line, with the moment the alarm was raised marked. The ticket names the
// alarm in its source reference, `alarm:<datastream id>:<raised at, ms since the epoch>`
// (then `:rate`, `:silence` or `:geofence` for alarms other than a threshold's)
// (crates/sensing, `rules`). An alarm older than a day is shown in the 24 hours around it.
// ECharts is loaded only when such a ticket is opened.

import { isAbort, request } from '../api';
import { t } from '../i18n';
import type { Ticket } from '../tickets/model';
import { dateTime } from '../tickets/time';
import { h, replace } from '../ui/dom';

const DAY_MS = 24 * 3600 * 1000;

export interface SensorAlarmRef {
  datastream: number;
  raisedAt: Date;
}

/** The alarm a ticket came from, or null for any other ticket (or a reference it cannot read). */
export function sensorAlarmRef(tk: Pick<Ticket, 'channel' | 'source_ref'>): SensorAlarmRef | null {
  if (tk.channel?.code !== 'iot-sensor' || !tk.source_ref) return null;
  const m = /^alarm:(\d+):(\d+)(?::(?:rate|silence|geofence))?$/.exec(tk.source_ref.trim());
  if (!m) return null;
  const datastream = Number(m[1]);
  const raisedAt = new Date(Number(m[2]));
  if (!Number.isSafeInteger(datastream) || Number.isNaN(raisedAt.getTime())) return null;
  return { datastream, raisedAt };
}

/** The last 24 hours, or the 24 hours around an alarm raised before them. */
export function seriesWindow(raisedAt: Date, now = Date.now()): { from: Date; to: Date } {
  const at = raisedAt.getTime();
  if (at >= now - DAY_MS) return { from: new Date(now - DAY_MS), to: new Date(now) };
  return { from: new Date(at - DAY_MS / 2), to: new Date(Math.min(now, at + DAY_MS / 2)) };
}

interface Series {
  datastream: number;
  from: string;
  to: string;
  resolution: string;
  points: Array<{ t: string; mean: number | null; min: number | null; max: number | null; count: number }>;
}

interface Datastream {
  name?: string;
  description?: string;
  unitOfMeasurement?: { symbol?: string };
}

/** The section, filled in as the answers arrive; null for a ticket not from a sensor. */
export function sensorSeries(tk: Ticket, signal: AbortSignal): HTMLElement | null {
  const ref = sensorAlarmRef(tk);
  if (!ref) return null;
  const s = t();
  const { from, to } = seriesWindow(ref.raisedAt);
  const head = h('div', { class: 'series-head muted' }, s.sensorDatastream(ref.datastream));
  const plot = h('div', { class: 'sensor-chart' }, h('p', { class: 'muted pad' }, s.loading));
  const host = h(
    'section',
    {
      class: 'wb-section sensor-series',
      'data-datastream': ref.datastream,
      'data-alarm-at': ref.raisedAt.toISOString(),
    },
    h('h3', { class: 'section-title' }, s.sensorSeries),
    head,
    plot,
  );
  void fill(host, head, plot, ref, from, to, signal);
  return host;
}

async function fill(host: HTMLElement, head: HTMLElement, plot: HTMLElement, ref: SensorAlarmRef, from: Date, to: Date, signal: AbortSignal): Promise<void> {
  const s = t();
  const q = new URLSearchParams({ datastream: String(ref.datastream), from: from.toISOString(), to: to.toISOString(), resolution: 'auto' });
  let series: Series;
  let ds: Datastream | null;
  try {
    [series, ds] = await Promise.all([
      request<Series>(`/api/v1/sensing/series?${q}`, { signal }),
      // The name and unit; the chart is drawn without them if they cannot be read.
      request<Datastream>(`/sta/v1.1/Datastreams(${ref.datastream})`, { signal }).catch((e) => {
        if (isAbort(e)) throw e;
        return null;
      }),
    ]);
  } catch (e) {
    if (isAbort(e)) return;
    replace(plot, h('p', { class: 'notice' }, s.sensorSeriesFailed));
    host.dataset.failed = 'true';
    return;
  }
  const unit = ds?.unitOfMeasurement?.symbol ?? '';
  const name = ds?.description || ds?.name || '';
  const span = s.sensorSeriesWindow(dateTime(from.toISOString()), dateTime(to.toISOString()));
  const resolution = s.sensorResolutions[series.resolution] ?? series.resolution;
  // The unit is the value axis's name.
  replace(head, [name, s.sensorDatastream(ref.datastream)].filter(Boolean).join(' · '), h('br'), `${span} · ${resolution}`);
  const points = series.points.filter((p) => p.mean !== null && Number.isFinite(p.mean));
  host.dataset.points = String(points.length);
  host.dataset.resolution = series.resolution;
  if (points.length === 0) {
    replace(plot, h('p', { class: 'muted' }, s.sensorSeriesEmpty));
    return;
  }
  const charts = await import('../dashboard/echarts');
  // The ticket may have been left (or redrawn without this section) meanwhile.
  if (signal.aborted || !plot.isConnected) return;
  replace(plot);
  const alarmAt = ref.raisedAt.getTime();
  charts.draw(plot, {
    // Room on the right for the alarm's label: a recent alarm is at the right edge.
    grid: { left: 4, right: 36, top: 26, bottom: 4, containLabel: true },
    legend: { show: false },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'time', min: from.getTime(), max: to.getTime(), ...charts.axisStyle },
    yAxis: { type: 'value', scale: true, name: unit, nameTextStyle: { color: '#8ea0ba' }, ...charts.axisStyle },
    series: [
      {
        type: 'line',
        name: name || s.sensorSeries,
        showSymbol: points.length < 3,
        data: points.map((p) => [p.t, p.mean as number]),
        markLine: {
          silent: true,
          symbol: ['none', 'none'],
          lineStyle: { color: '#ef4444', type: 'dashed', width: 1.5 },
          label: { formatter: s.sensorAlarmMoment, color: '#fca5a5', position: 'end' },
          data: [{ xAxis: alarmAt }],
        },
      },
    ],
  });
  host.dataset.marked = new Date(alarmAt).toISOString();
}
