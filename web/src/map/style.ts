// The map style, built in code from the server's vector tilesets: no online basemap, just
// the district drawn from our own data on a dark ground. Each twin layer is its own
// source (`/tiles/{layer}`), so a live change reloads only the layer that changed and a
// layer switched off fetches nothing.

import type {
  ExpressionSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import { LABEL_SOURCE } from './labels';
import { componentStatusColours, palette, pipeColours } from './palette';

/** The twin's layers, each a tileset, a source and an MVT layer of the same name. */
export const TWIN_LAYERS = [
  'district',
  'streets',
  'communities',
  'grids',
  'buildings',
  'components',
  'pipes',
  'cameras',
  'devices',
  'roads',
  'water',
  'parks',
  'landmarks',
] as const;
export type TwinLayer = (typeof TWIN_LAYERS)[number];

/** The administrative layers, from the district down to the grid. */
export const ADMIN_LAYERS = ['district', 'streets', 'communities', 'grids'] as const;
export type AdminLayer = (typeof ADMIN_LAYERS)[number];

/** Layers whose features open a details panel when clicked. */
export const CLICKABLE = ['buildings-3d', 'cameras-dot', 'devices-dot', 'components-dot', 'pipes-line', 'landmarks-dot'];

/** The invisible fills used to find which area a click fell in, per admin layer. */
export const HIT_LAYER: Record<AdminLayer, string> = {
  district: 'district-land',
  streets: 'streets-hit',
  communities: 'communities-hit',
  grids: 'grids-hit',
};

/** The highlighted outline of the current area, per admin layer. */
export const AREA_LINE: Record<AdminLayer, string> = {
  district: 'area-district',
  streets: 'area-streets',
  communities: 'area-communities',
  grids: 'area-grids',
};

/** Local fonts only: CJK glyphs are drawn by the browser, nothing is downloaded. */
export const FONT_STACK = ['Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'sans-serif'];

export interface TileSource {
  tiles: string[];
  minzoom?: number;
  maxzoom?: number;
}

const NONE: ExpressionSpecification = ['==', ['get', 'code'], '\u0000'];

const selected = (on: string, off: ExpressionSpecification | string): ExpressionSpecification => [
  'case',
  ['boolean', ['feature-state', 'selected'], false],
  on,
  off as ExpressionSpecification,
];

/** A device's open sensor alarm, as feature state (see `deviceAlarms.ts`). */
const inAlarm: ExpressionSpecification = ['==', ['feature-state', 'alarm'], 'alarm'];
const silent: ExpressionSpecification = ['==', ['feature-state', 'alarm'], 'silent'];

function match(prop: string, colours: Record<string, string>, fallback: string): ExpressionSpecification {
  const pairs = Object.entries(colours).flat();
  return ['match', ['get', prop], ...pairs, fallback] as unknown as ExpressionSpecification;
}

const buildingColour: ExpressionSpecification = [
  'interpolate',
  ['linear'],
  ['coalesce', ['get', 'height_m'], 10],
  0,
  palette.buildingLow,
  45,
  palette.buildingMid,
  150,
  palette.buildingHigh,
  320,
  palette.buildingTop,
];

function layers(has: (l: TwinLayer) => boolean): LayerSpecification[] {
  const out: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': palette.background } },
  ];
  const add = (l: TwinLayer, specs: LayerSpecification[]) => {
    if (has(l)) out.push(...specs);
  };
  add('district', [
    {
      id: 'district-land',
      type: 'fill',
      source: 'district',
      'source-layer': 'district',
      paint: { 'fill-color': palette.land },
    },
  ]);
  // The basemap on the ground: parks, then water, then roads, all under the district's
  // own lines, so a reader can tell where they are before reading a single label.
  add('parks', [
    {
      id: 'parks-fill',
      type: 'fill',
      source: 'parks',
      'source-layer': 'parks',
      paint: { 'fill-color': palette.park, 'fill-opacity': 0.75 },
    },
  ]);
  add('water', [
    {
      id: 'water-fill',
      type: 'fill',
      source: 'water',
      'source-layer': 'water',
      paint: { 'fill-color': palette.water, 'fill-opacity': 0.95 },
    },
  ]);
  add('roads', [
    {
      id: 'roads-line',
      type: 'line',
      source: 'roads',
      'source-layer': 'roads',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': ['match', ['get', 'class'], '主干道', palette.arterial, palette.road],
        // Roughly the road's real width once zoomed in (width_m at ~0.6 m per pixel at z18).
        'line-width': [
          'interpolate',
          ['exponential', 2],
          ['zoom'],
          12,
          ['match', ['get', 'class'], '主干道', 1.4, 0.5],
          18,
          ['*', ['coalesce', ['get', 'width_m'], 16], 1.6],
        ],
        'line-opacity': ['interpolate', ['linear'], ['zoom'], 12, 0.55, 15, 0.9],
      },
    },
  ]);
  // The current area, lit a little brighter than the ground around it.
  for (const l of ADMIN_LAYERS) {
    add(l, [
      {
        id: `${AREA_LINE[l]}-fill`,
        type: 'fill',
        source: l,
        'source-layer': l,
        filter: NONE,
        paint: { 'fill-color': palette.areaLit, 'fill-opacity': 0.9 },
      },
    ]);
  }
  add('streets', [
    {
      id: 'streets-hit',
      type: 'fill',
      source: 'streets',
      'source-layer': 'streets',
      paint: {
        'fill-color': palette.hover,
        'fill-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 0.1, 0],
      },
    },
  ]);
  add('communities', [
    {
      id: 'communities-hit',
      type: 'fill',
      source: 'communities',
      'source-layer': 'communities',
      paint: {
        'fill-color': palette.hover,
        'fill-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 0.1, 0],
      },
    },
  ]);
  add('grids', [
    {
      id: 'grids-hit',
      type: 'fill',
      source: 'grids',
      'source-layer': 'grids',
      minzoom: 12,
      paint: {
        'fill-color': palette.hover,
        'fill-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 0.1, 0],
      },
    },
  ]);
  add('pipes', [
    {
      id: 'pipes-line',
      type: 'line',
      source: 'pipes',
      'source-layer': 'pipes',
      layout: { visibility: 'none', 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': selected(palette.selected, match('network', pipeColours, '#94a3b8')),
        'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.6, 16, 2.2, 18, 4],
        'line-opacity': 0.85,
      },
    },
  ]);
  add('grids', [
    {
      id: 'grids-line',
      type: 'line',
      source: 'grids',
      'source-layer': 'grids',
      minzoom: 12,
      paint: {
        'line-color': palette.gridLine,
        'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.4, 16, 1.2],
        'line-opacity': ['interpolate', ['linear'], ['zoom'], 12, 0.4, 14, 0.85],
      },
    },
  ]);
  add('communities', [
    {
      id: 'communities-line',
      type: 'line',
      source: 'communities',
      'source-layer': 'communities',
      paint: {
        'line-color': palette.communityLine,
        'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.6, 15, 1.6],
        'line-dasharray': [3, 2],
        'line-opacity': 0.8,
      },
    },
  ]);
  add('streets', [
    {
      id: 'streets-line',
      type: 'line',
      source: 'streets',
      'source-layer': 'streets',
      paint: {
        'line-color': palette.streetLine,
        'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1.2, 15, 2.6],
        'line-opacity': 0.9,
      },
    },
  ]);
  add('district', [
    {
      id: 'district-glow',
      type: 'line',
      source: 'district',
      'source-layer': 'district',
      paint: { 'line-color': palette.districtGlow, 'line-width': 9, 'line-blur': 7, 'line-opacity': 0.55 },
    },
    {
      id: 'district-line',
      type: 'line',
      source: 'district',
      'source-layer': 'district',
      paint: { 'line-color': palette.districtLine, 'line-width': 2.2 },
    },
  ]);
  for (const l of ADMIN_LAYERS) {
    add(l, [
      {
        id: AREA_LINE[l],
        type: 'line',
        source: l,
        'source-layer': l,
        filter: NONE,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': palette.highlight, 'line-width': 3.2 },
      },
    ]);
  }
  add('components', [
    {
      id: 'components-dot',
      type: 'circle',
      source: 'components',
      'source-layer': 'components',
      minzoom: 15,
      layout: { visibility: 'none' },
      paint: {
        'circle-color': selected(palette.selected, match('status', componentStatusColours, '#94a3b8')),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 14, 1.6, 18, 5],
        'circle-pitch-alignment': 'map',
        'circle-opacity': 0.9,
      },
    },
  ]);
  add('devices', [
    {
      id: 'devices-dot',
      type: 'circle',
      source: 'devices',
      'source-layer': 'devices',
      minzoom: 14,
      layout: { visibility: 'none' },
      paint: {
        // An open sensor alarm (feature state `alarm`, set by `deviceAlarms.ts`) outranks
        // the device's registered status: red in alarm, grey when silent.
        'circle-color': selected(palette.selected, [
          'case',
          inAlarm,
          palette.deviceAlarm,
          silent,
          palette.deviceSilent,
          match('status', { 离线: palette.offline, 故障: palette.fault }, palette.device),
        ]),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 13, ['case', inAlarm, 3.4, 1.8], 18, ['case', inAlarm, 8, 5.5]],
        'circle-stroke-color': ['case', inAlarm, palette.deviceAlarmRing, palette.background],
        'circle-stroke-width': ['case', inAlarm, 1.4, 0.6],
      },
    },
    // Devices stand close together (a street's manhole covers can be a metre apart), and
    // a neighbour drawn later would hide a device in alarm or the one selected. The same
    // devices once more, above, transparent unless in alarm or selected: feature state
    // cannot filter or sort a layer, but it can paint.
    {
      id: 'devices-top',
      type: 'circle',
      source: 'devices',
      'source-layer': 'devices',
      minzoom: 14,
      layout: { visibility: 'none' },
      paint: {
        'circle-color': selected(palette.selected, palette.deviceAlarm),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 13, ['case', inAlarm, 3.4, 1.8], 18, ['case', inAlarm, 8, 5.5]],
        'circle-stroke-color': ['case', inAlarm, palette.deviceAlarmRing, palette.background],
        'circle-stroke-width': ['case', inAlarm, 1.4, 0.6],
        'circle-opacity': ['case', ['boolean', ['feature-state', 'selected'], false], 1, inAlarm, 1, 0],
        'circle-stroke-opacity': ['case', ['boolean', ['feature-state', 'selected'], false], 1, inAlarm, 1, 0],
      },
    },
  ]);
  add('buildings', [
    {
      id: 'buildings-3d',
      type: 'fill-extrusion',
      source: 'buildings',
      'source-layer': 'buildings',
      paint: {
        'fill-extrusion-color': selected(palette.selected, buildingColour),
        'fill-extrusion-height': ['coalesce', ['get', 'height_m'], ['*', ['coalesce', ['get', 'floors'], 3], 3.2]],
        'fill-extrusion-base': 0,
        'fill-extrusion-opacity': 0.9,
        'fill-extrusion-vertical-gradient': true,
      },
    },
  ]);
  add('cameras', [
    {
      id: 'cameras-dot',
      type: 'circle',
      source: 'cameras',
      'source-layer': 'cameras',
      minzoom: 14,
      paint: {
        'circle-color': selected(
          palette.selected,
          match('status', { 离线: palette.offline }, palette.camera),
        ),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 14, 1.8, 18, 5.5],
        'circle-opacity': 0.85,
        'circle-stroke-color': '#f5f3ff',
        'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 14, 0, 18, 1.2],
      },
    },
  ]);
  add('roads', [
    {
      id: 'roads-label',
      type: 'symbol',
      source: 'roads',
      'source-layer': 'roads',
      minzoom: 14,
      layout: {
        'symbol-placement': 'line',
        'text-field': ['get', 'name'],
        'text-font': FONT_STACK,
        'text-size': ['interpolate', ['linear'], ['zoom'], 14, 10, 18, 14],
        'text-max-angle': 30,
      },
      paint: { 'text-color': palette.roadLabel, 'text-halo-color': palette.labelHalo, 'text-halo-width': 1.4 },
    },
  ]);
  add('water', [
    {
      id: 'water-label',
      type: 'symbol',
      source: 'water',
      'source-layer': 'water',
      minzoom: 13,
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT_STACK, 'text-size': 11 },
      paint: { 'text-color': palette.waterLabel, 'text-halo-color': palette.labelHalo, 'text-halo-width': 1.2 },
    },
  ]);
  add('landmarks', [
    {
      id: 'landmarks-dot',
      type: 'circle',
      source: 'landmarks',
      'source-layer': 'landmarks',
      paint: {
        'circle-color': selected(palette.selected, palette.landmark),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 3, 17, 6],
        'circle-stroke-color': palette.background,
        'circle-stroke-width': 1,
      },
    },
    {
      id: 'landmarks-label',
      type: 'symbol',
      source: 'landmarks',
      'source-layer': 'landmarks',
      minzoom: 14,
      layout: {
        'text-field': ['get', 'name'],
        'text-font': FONT_STACK,
        'text-size': 12,
        'text-offset': [0, 1.1],
        'text-anchor': 'top',
      },
      paint: { 'text-color': palette.landmark, 'text-halo-color': palette.labelHalo, 'text-halo-width': 1.4 },
    },
  ]);
  out.push({
    id: 'area-labels',
    type: 'symbol',
    source: LABEL_SOURCE,
    layout: {
      'text-field': ['get', 'name'],
      'text-font': FONT_STACK,
      'text-size': ['interpolate', ['linear'], ['zoom'], 10, 12, 16, 16],
      'text-letter-spacing': 0.08,
      'text-max-width': 9,
      'text-allow-overlap': false,
    },
    paint: {
      'text-color': '#e0f2fe',
      'text-halo-color': 'rgba(7, 13, 24, 0.9)',
      'text-halo-width': 2,
    },
  });
  return out;
}

/** The style for the tilesets that could be loaded (a missing one is left out, not fatal). */
export function buildStyle(sources: Partial<Record<TwinLayer, TileSource>>): StyleSpecification {
  const specs: Record<string, SourceSpecification> = {};
  for (const [id, s] of Object.entries(sources)) {
    specs[id] = { type: 'vector', ...s };
  }
  return {
    version: 8,
    name: 'CityMirror control room',
    // A dark sky with a faint horizon glow, so the pitched 3D view has depth.
    sky: {
      'sky-color': '#0a1830',
      'horizon-color': '#12325c',
      'fog-color': palette.background,
      'sky-horizon-blend': 0.6,
      'horizon-fog-blend': 0.4,
      'fog-ground-blend': 0.85,
      'atmosphere-blend': 0,
    },
    light: { anchor: 'viewport', color: '#dbeafe', intensity: 0.35, position: [1.4, 210, 35] },
    // No `glyphs`: MapLibre draws every label locally with the browser's own fonts.
    sources: {
      ...specs,
      [LABEL_SOURCE]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
    },
    layers: layers((l) => l in sources),
  };
}
