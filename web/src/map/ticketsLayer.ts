// Citizens' requests as a live layer of the 3D map: every open ticket the reader may see
// (`GET /api/v1/tickets/map`) as a dot in its status's colour, overdue ones ringed in red.
// It is drawn only for staff who read tickets; `ticket` events on the live channel
// reload it. A click on a dot opens a small popup that leads to the workbench; where
// several requests lie at one spot (the same problem reported twice), it lists them all.

import maplibregl, { type GeoJSONSource, type Map as MapLibreMap, type MapMouseEvent, type Popup } from 'maplibre-gl';
import { isAbort } from '../api';
import { onLanguageChange, t } from '../i18n';
import { session } from '../session';
import { mayReadTickets } from '../tickets/access';
import { loadCatalogue, ticketsMap } from '../tickets/api';
import { statusChip } from '../tickets/chips';
import { serviceName } from '../tickets/labels';
import type { Catalogue, MapTicket } from '../tickets/model';
import { h } from '../ui/dom';
import { notifyError } from '../ui/toast';
import { overdueRing, palette, ticketStatusColours } from './palette';

export const TICKETS_SOURCE = 'tickets';
export const TICKET_LAYERS = ['tickets-glow', 'tickets-overdue', 'tickets-dot'];

const EMPTY = { type: 'FeatureCollection' as const, features: [] };

let loads = 0;
let shown = 0;
let inflight: AbortController | null = null;
let popup: Popup | null = null;
let catalogue: Catalogue | null = null;

export function addTicketsLayer(map: MapLibreMap): void {
  map.addSource(TICKETS_SOURCE, { type: 'geojson', data: EMPTY, promoteId: 'number' });
  const colour = ['match', ['get', 'status'], ...Object.entries(ticketStatusColours).flat(), '#94a3b8'];
  // A soft glow in the status's colour: tickets are what changes on this map, and should
  // stand out from the twin's own points (cameras, landmarks) at a glance.
  map.addLayer({
    id: 'tickets-glow',
    type: 'circle',
    source: TICKETS_SOURCE,
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 9, 16, 16, 18, 22],
      'circle-color': colour as unknown as string,
      'circle-opacity': 0.22,
      'circle-blur': 0.8,
      'circle-pitch-alignment': 'viewport',
    },
  });
  // The red ring under the dot, so an overdue ticket reads at any zoom.
  map.addLayer({
    id: 'tickets-overdue',
    type: 'circle',
    source: TICKETS_SOURCE,
    filter: ['==', ['get', 'overdue'], true],
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 7.5, 16, 12.5, 18, 16],
      'circle-color': 'rgba(0,0,0,0)',
      'circle-stroke-color': overdueRing,
      'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 11, 1.6, 16, 3],
      'circle-pitch-alignment': 'viewport',
    },
  });
  map.addLayer({
    id: 'tickets-dot',
    type: 'circle',
    source: TICKETS_SOURCE,
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 4.5, 16, 8, 18, 11],
      'circle-color': colour as unknown as string,
      'circle-stroke-color': palette.background,
      'circle-stroke-width': 1.2,
      'circle-pitch-alignment': 'viewport',
    },
  });
  onLanguageChange(() => popup?.remove());
}

/** Loads the reader's open tickets again (or empties the layer for those who may not read them). */
export async function refreshTickets(map: MapLibreMap): Promise<void> {
  const source = map.getSource<GeoJSONSource>(TICKETS_SOURCE);
  if (!source) return;
  inflight?.abort();
  if (!mayReadTickets(session())) {
    source.setData(EMPTY);
    shown = 0;
    popup?.remove();
    return;
  }
  const ctl = new AbortController();
  inflight = ctl;
  try {
    const [data, cat] = await Promise.all([ticketsMap(ctl.signal), loadCatalogue().catch(() => null)]);
    catalogue = cat;
    source.setData(data);
    shown = data.features.length;
    loads += 1;
  } catch (e) {
    if (!isAbort(e)) notifyError(e);
  } finally {
    if (inflight === ctl) inflight = null;
  }
}

/** For tests: how often the layer was loaded and how many tickets it holds. */
export function ticketsLayerState(): { loads: number; shown: number } {
  return { loads, shown };
}

/** The tickets under the pointer, each once (a ticket is drawn by a dot and maybe a ring). */
function ticketsAt(map: MapLibreMap, e: MapMouseEvent): Array<{ props: MapTicket; at: [number, number] }> {
  // The dots and rings, not the glow: a click must land on the ticket itself.
  const layers = ['tickets-overdue', 'tickets-dot'].filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
  if (!layers.length) return [];
  const r = 6;
  const found = map.queryRenderedFeatures(
    [
      [e.point.x - r, e.point.y - r],
      [e.point.x + r, e.point.y + r],
    ],
    { layers },
  );
  const seen = new Set<string>();
  const out: Array<{ props: MapTicket; at: [number, number] }> = [];
  for (const f of found) {
    const props = f.properties as unknown as MapTicket;
    if (seen.has(props.number)) continue;
    seen.add(props.number);
    out.push({ props, at: (f.geometry as unknown as { coordinates: [number, number] }).coordinates });
  }
  return out;
}

const MAX_LISTED = 5;

function popupItem(p: MapTicket): HTMLElement {
  const s = t();
  return h(
    'div',
    { class: 'ticket-popup', 'data-number': p.number },
    h('div', { class: 'ticket-popup-number' }, p.number),
    h('div', { class: 'ticket-popup-service' }, serviceName(catalogue, p.service)),
    h(
      'div',
      { class: 'ticket-popup-marks' },
      statusChip(p.status),
      p.overdue ? h('span', { class: 'tk-badge overdue' }, s.overdue) : null,
      p.supervised ? h('span', { class: 'tk-badge supervised' }, s.supervised) : null,
    ),
    h('a', { class: 'button secondary ticket-popup-link', href: `/workbench.html#${encodeURIComponent(p.number)}` }, s.openInWorkbench),
  );
}

/**
 * A click on a ticket opens its popup and is claimed (the map does not also drill into
 * the area under it); anything else is left to the map's own handling.
 */
export function claimTicketClick(map: MapLibreMap, e: MapMouseEvent): boolean {
  const found = ticketsAt(map, e);
  if (!found.length) return false;
  popup?.remove();
  popup = new maplibregl.Popup({ closeButton: true, maxWidth: '280px', className: 'ticket-popup-box', offset: 10 })
    .setLngLat(found[0].at)
    .setDOMContent(h('div', { class: 'ticket-popup-list' }, ...found.slice(0, MAX_LISTED).map((f) => popupItem(f.props))))
    .addTo(map);
  return true;
}

/** Whether the pointer is over a ticket (for the cursor). */
export function ticketUnder(map: MapLibreMap, e: MapMouseEvent): boolean {
  return ticketsAt(map, e).length > 0;
}
