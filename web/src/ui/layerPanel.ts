// The layer panel: one switch per group of map layers, remembered between visits. A
// group may depend on who reads (citizens' requests are for staff who handle them): it
// is listed only while `available` says so.

import type { Map as MapLibreMap } from 'maplibre-gl';
import { onLanguageChange, t } from '../i18n';
import { palette, pipeColours, ticketStatusColours } from '../map/palette';
import { TICKET_LAYERS } from '../map/ticketsLayer';
import { onSessionChange, session } from '../session';
import { mayReadTickets } from '../tickets/access';
import { byId, h, replace } from './dom';

interface Group {
  key: string;
  label: () => string;
  note?: () => string;
  layers: string[];
  swatch: string;
  /** Shown when the page opens (before the visitor chooses). */
  initially: boolean;
  /** Listed only while this holds (default: always). */
  available?: () => boolean;
}

const GROUPS: Group[] = [
  { key: 'buildings', label: () => t().layerBuildings, layers: ['buildings-3d'], swatch: palette.buildingMid, initially: true },
  { key: 'streets', label: () => t().layerStreets, layers: ['streets-line'], swatch: palette.streetLine, initially: true },
  { key: 'communities', label: () => t().layerCommunities, layers: ['communities-line'], swatch: palette.communityLine, initially: true },
  {
    key: 'grids',
    label: () => t().layerGrids,
    note: () => t().fromZoom(12),
    layers: ['grids-line'],
    swatch: palette.gridLine,
    initially: true,
  },
  { key: 'labels', label: () => t().layerLabels, layers: ['area-labels'], swatch: '#e0f2fe', initially: true },
  {
    key: 'basemap',
    label: () => t().layerBasemap,
    layers: ['roads-line', 'roads-label', 'water-fill', 'water-label', 'parks-fill'],
    swatch: palette.water,
    initially: true,
  },
  { key: 'landmarks', label: () => t().layerLandmarks, layers: ['landmarks-dot', 'landmarks-label'], swatch: palette.landmark, initially: true },
  { key: 'pipes', label: () => t().layerPipes, note: () => t().fromZoom(14), layers: ['pipes-line'], swatch: pipeColours['给水'], initially: false },
  { key: 'components', label: () => t().layerComponents, note: () => t().fromZoom(15), layers: ['components-dot'], swatch: '#2dd4bf', initially: false },
  { key: 'cameras', label: () => t().layerCameras, note: () => t().fromZoom(14), layers: ['cameras-dot'], swatch: palette.camera, initially: true },
  { key: 'devices', label: () => t().layerDevices, note: () => t().fromZoom(14), layers: ['devices-dot', 'devices-top'], swatch: palette.device, initially: false },
  {
    key: 'tickets',
    label: () => t().layerTickets,
    note: () => t().ticketLegendOverdue,
    layers: TICKET_LAYERS,
    swatch: ticketStatusColours.dispatched,
    initially: true,
    available: () => mayReadTickets(session()),
  },
];

const STORAGE_KEY = 'citymirror.layers';

function remembered(): Record<string, boolean> {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Record<string, boolean>;
  } catch {
    return {};
  }
}

function remember(state: Record<string, boolean>): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // Not remembered; the switch still works.
  }
}

export function setGroupVisible(map: MapLibreMap, key: string, on: boolean): void {
  const g = GROUPS.find((x) => x.key === key);
  if (!g) return;
  for (const id of g.layers) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }
}

/** The colour ramp of building heights, as the map draws it. */
function heightLegend(): HTMLElement {
  const ramp = `linear-gradient(90deg, ${palette.buildingLow}, ${palette.buildingMid} 28%, ${palette.buildingHigh} 62%, ${palette.buildingTop})`;
  return h(
    'div',
    { class: 'legend' },
    h('div', { class: 'legend-title' }, t().buildingHeight),
    h('div', { class: 'legend-ramp', style: `background:${ramp}` }),
    h('div', { class: 'legend-scale' }, h('span', {}, '0'), h('span', {}, '45'), h('span', {}, '150'), h('span', {}, '320 m')),
  );
}

/** The devices' colours: their registered status, and their open sensor alarms. */
function deviceLegend(): HTMLElement {
  const s = t();
  const item = (colour: string, label: string, key: string) =>
    h('span', { class: 'legend-item', 'data-state': key }, h('span', { class: 'legend-dot', style: `--swatch:${colour}` }), label);
  return h(
    'div',
    { class: 'legend device-legend' },
    h('div', { class: 'legend-title' }, s.deviceLegend),
    h(
      'div',
      { class: 'legend-items' },
      item(palette.device, s.deviceNormal, 'normal'),
      item(palette.deviceAlarm, s.deviceInAlarm, 'alarm'),
      item(palette.deviceSilent, s.deviceSilent, 'silent'),
    ),
  );
}

/** Switches a group on from elsewhere (the alarm panel shows a device): set once mounted. */
let switchOn: ((key: string) => void) | null = null;

export function showLayerGroup(key: string): void {
  switchOn?.(key);
}

export function mountLayerPanel(map: MapLibreMap): void {
  const host = byId('layer-panel');
  const state: Record<string, boolean> = Object.fromEntries(GROUPS.map((g) => [g.key, g.initially]));
  Object.assign(state, remembered());
  for (const g of GROUPS) setGroupVisible(map, g.key, state[g.key]);
  // The devices' legend is there while the devices are.
  let legend: HTMLElement | null = null;
  const toggle = (key: string, on: boolean) => {
    state[key] = on;
    setGroupVisible(map, key, on);
    remember(state);
    if (key === 'devices' && legend) legend.hidden = !on;
  };
  switchOn = (key) => {
    if (state[key]) return;
    toggle(key, true);
    const input = host.querySelector<HTMLInputElement>(`input[data-layer="${key}"]`);
    if (input) input.checked = true;
  };

  const render = () => {
    const wasOpen = host.querySelector('details')?.open;
    legend = deviceLegend();
    legend.hidden = !state.devices;
    const rows = GROUPS.filter((g) => g.available?.() ?? true).map((g) => {
      const input = h('input', {
        type: 'checkbox',
        'data-layer': g.key,
        checked: state[g.key],
        onchange: (e: Event) => toggle(g.key, (e.target as HTMLInputElement).checked),
      });
      return h(
        'label',
        { class: 'layer-row' },
        input,
        h('span', { class: 'swatch', style: `--swatch:${g.swatch}` }),
        h('span', { class: 'layer-name' }, g.label()),
        g.note ? h('span', { class: 'layer-note' }, g.note()) : null,
      );
    });
    replace(
      host,
      h(
        'details',
        { class: 'layer-box', open: wasOpen ?? window.matchMedia('(min-width: 721px)').matches },
        h('summary', {}, t().layers),
        h('div', { class: 'layer-list' }, ...rows),
        heightLegend(),
        legend,
      ),
    );
  };
  render();
  onLanguageChange(render);
  onSessionChange(render);
}
