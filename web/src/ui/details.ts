// The details panel: one feature's properties, fetched from OGC API Features (masked to the
// reader), titled in the current language. It follows live changes to the feature it shows.

import { isAbort, politeMessage } from '../api';
import { fetchFeature, geometryBbox, type TwinFeature } from '../features';
import { onLanguageChange, t } from '../i18n';
import { formatValue, looksMasked, propertyOrder, propertyTitle } from '../props';
import { deviceReadings } from './deviceReadings';
import { byId, h, replace } from './dom';

export interface DetailsHandlers {
  /** The panel opened on (or closed from) a feature: mark it on the map. */
  onSelect(sel: { layer: string; id: number | string } | null): void;
  /** "Show on map": fit the map to this box. */
  onLocate(bbox: [number, number, number, number]): void;
  /** A grid code in the table was clicked: drill to that area. */
  onArea(code: string): void;
}

type View =
  | { state: 'closed' }
  | { state: 'loading'; layer: string; id: number | string }
  | { state: 'shown'; layer: string; id: number | string; feature: TwinFeature; live?: boolean }
  | { state: 'gone'; layer: string; id: number | string }
  | { state: 'failed'; layer: string; id: number | string; message: string };

let view: View = { state: 'closed' };
let handlers: DetailsHandlers;
let inflight: AbortController | null = null;

export function mountDetails(h_: DetailsHandlers): void {
  handlers = h_;
  render();
  onLanguageChange(render);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && view.state !== 'closed') closeDetails();
  });
}

/** Opens the panel on one feature and loads it. */
export async function showDetails(layer: string, id: number | string, opts: { live?: boolean } = {}): Promise<void> {
  inflight?.abort();
  const ctl = new AbortController();
  inflight = ctl;
  if (!opts.live) {
    view = { state: 'loading', layer, id };
    render();
    handlers.onSelect({ layer, id });
  }
  try {
    const feature = await fetchFeature(layer, id, ctl.signal);
    view = { state: 'shown', layer, id, feature, live: opts.live };
  } catch (e) {
    if (isAbort(e)) return;
    view = { state: 'failed', layer, id, message: politeMessage(e) };
  }
  if (inflight === ctl) inflight = null;
  render();
}

export function closeDetails(): void {
  inflight?.abort();
  view = { state: 'closed' };
  handlers.onSelect(null);
  render();
}

/** A live change to `layer`/`id`: reload what the panel shows, or say it is gone. */
export function featureChanged(layer: string, id: number, kind: string): void {
  if (view.state === 'closed' || view.layer !== layer || String(view.id) !== String(id)) return;
  if (kind === 'deleted') {
    view = { state: 'gone', layer, id };
    render();
  } else {
    void showDetails(layer, id, { live: true });
  }
}

/** What the panel shows now (the test hook reads it). */
export function detailsState(): { state: string; layer?: string; id?: number | string } {
  return view.state === 'closed' ? { state: 'closed' } : { state: view.state, layer: view.layer, id: view.id };
}

function render(): void {
  const host = byId('details-panel');
  host.hidden = view.state === 'closed';
  document.body.classList.toggle('details-open', view.state !== 'closed');
  if (view.state === 'closed') {
    replace(host);
    return;
  }
  const s = t();
  const layerTitle = s.layerTitles[view.layer] ?? view.layer;
  const header = (title: string) =>
    h(
      'header',
      { class: 'panel-head' },
      h('div', { class: 'panel-kicker' }, layerTitle),
      h('h2', { class: 'panel-title' }, title),
      h('button', { class: 'icon-button close', type: 'button', 'aria-label': s.close, title: s.close, onclick: closeDetails }, '×'),
    );
  switch (view.state) {
    case 'loading':
      replace(host, header(`${s.featureId} ${view.id}`), h('p', { class: 'muted pad' }, s.loading));
      return;
    case 'failed':
      replace(host, header(`${s.featureId} ${view.id}`), h('p', { class: 'notice pad' }, view.message));
      return;
    case 'gone':
      replace(host, header(`${s.featureId} ${view.id}`), h('p', { class: 'notice pad' }, s.featureGone));
      return;
    case 'shown':
      replace(host, header(title(view.feature, view.layer, layerTitle)), body(view.layer, view.feature, view.live));
  }
}

function title(f: TwinFeature, layer: string, fallback: string): string {
  const p = f.properties;
  const name = p.name ?? p.address ?? p.category_name ?? p.device_type ?? (layer === 'pipes' ? p.network : undefined);
  return name ? formatValue(name) : `${fallback} ${f.id}`;
}

function body(layer: string, f: TwinFeature, live?: boolean): HTMLElement {
  const s = t();
  const rows = propertyOrder(layer, Object.keys(f.properties)).map((k) => {
    const v = f.properties[k];
    let cell: Node | string = formatValue(v);
    if (k === 'grid_code' && typeof v === 'string' && v) {
      cell = h('button', { class: 'link', type: 'button', onclick: () => handlers.onArea(v) }, v);
    } else if (looksMasked(v)) {
      cell = h('span', {}, String(v), ' ', h('span', { class: 'badge' }, s.masked));
    }
    return h('tr', {}, h('th', { scope: 'row' }, propertyTitle(layer, k)), h('td', { 'data-prop': k }, cell));
  });
  const bbox = geometryBbox(f.geometry);
  return h(
    'div',
    { class: 'panel-body' },
    live ? h('div', { class: 'live-flash' }, s.updatedLive) : null,
    h(
      'table',
      { class: 'props' },
      h('tbody', {}, h('tr', {}, h('th', { scope: 'row' }, s.featureId), h('td', { 'data-prop': 'id' }, String(f.id))), ...rows),
    ),
    bbox ? h('button', { class: 'button secondary', type: 'button', onclick: () => handlers.onLocate(bbox) }, s.showOnMap) : null,
    layer === 'devices' ? deviceReadings(f.id) : null,
  );
}
