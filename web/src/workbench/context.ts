// Where a ticket lies, as the twin knows it: a small map with a pin at the place, the
// grid path down to the responsible grid (`/api/v1/locate`, the same lookup intake
// used), and the twin feature it is about (the road, park, river or building the matrix
// may have routed by).

import { isAbort } from '../api';
import { t } from '../i18n';
import { locate } from '../tickets/api';
import { pathText } from '../tickets/labels';
import { createMiniMap, type MiniMap } from '../tickets/miniMap';
import type { Ticket } from '../tickets/model';
import { h, replace } from '../ui/dom';

let current: MiniMap | null = null;

/** The detail's map, for the page's test hook. */
export function detailMap(): MiniMap['map'] | null {
  return current?.map ?? null;
}

export function twinContext(tk: Ticket, signal: AbortSignal): HTMLElement {
  const s = t();
  const path = h('span', { class: 'grid-path' }, tk.grid_code ?? s.noValue);
  locate(tk.lon, tk.lat, signal)
    .then((l) => {
      path.textContent = pathText(l);
      path.title = tk.grid_code ?? '';
      path.dataset.street = l.street?.code ?? '';
    })
    .catch((e) => {
      if (!isAbort(e)) path.textContent = tk.grid_code ?? s.noValue;
    });
  const mapBox = h('div', { class: 'detail-map' });
  // The map is made once its box is laid out (MapLibre sizes its canvas to the box).
  requestAnimationFrame(() => {
    if (!mapBox.isConnected || signal.aborted) return;
    current?.map.remove();
    current = null;
    void createMiniMap(mapBox, { center: [tk.lon, tk.lat], zoom: 16.5, pinned: true }).then((m) => {
      if (signal.aborted) {
        m?.map.remove();
        return;
      }
      current = m;
      if (!m) replace(mapBox, h('p', { class: 'notice pad' }, s.errorWebgl));
    });
  });
  const place = tk.place;
  return h(
    'section',
    { class: 'wb-section context' },
    h('h3', { class: 'section-title' }, s.twinContext),
    mapBox,
    h('div', { class: 'kv' }, h('span', { class: 'kv-k' }, s.gridPath), h('span', { class: 'kv-v' }, path)),
    place
      ? h(
          'div',
          { class: 'kv' },
          h('span', { class: 'kv-k' }, s.placeFeature),
          h('span', { class: 'kv-v', 'data-layer': place.layer }, `${s.layerTitles[place.layer] ?? place.layer} · ${place.name ?? `#${place.id}`}`),
        )
      : null,
  );
}
