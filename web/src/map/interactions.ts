// What clicks and the pointer do on the map: a click on a building, pipe, camera, device or
// component opens its details; a click elsewhere inside the current area drills into the
// child area under it; the child under the pointer lights up. Also the current area's
// highlight and fitting the map to an area.

import type { FilterSpecification, Map as MapLibreMap, MapGeoJSONFeature, MapMouseEvent } from 'maplibre-gl';
import type { Area } from '../areas';
import { LAYER_OF } from '../areas';
import { ADMIN_LAYERS, AREA_LINE, CLICKABLE, HIT_LAYER, type AdminLayer, type TwinLayer } from './style';

export interface InteractionHandlers {
  onFeature(layer: TwinLayer, id: number): void;
  onDrill(code: string): void;
  onEmpty(): void;
  current(): Area | null;
  /** The admin layer of the current area's children (null at grid level). */
  childLayer(): AdminLayer | null;
  hover(f: { layer: TwinLayer; id: number } | null): void;
  /** An overlay (the tickets layer) takes the click for itself: nothing else happens. */
  claim?(e: MapMouseEvent): boolean;
  /** Whether the pointer is over something of an overlay's (for the cursor). */
  over?(e: MapMouseEvent): boolean;
}

function present(map: MapLibreMap, ids: string[]): string[] {
  return ids.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
}

function featureAt(map: MapLibreMap, e: MapMouseEvent): MapGeoJSONFeature | undefined {
  const layers = present(map, CLICKABLE);
  if (!layers.length) return undefined;
  // A few pixels of slack: points and thin pipes are hard to hit on a touch screen.
  const r = 4;
  const box: [[number, number], [number, number]] = [
    [e.point.x - r, e.point.y - r],
    [e.point.x + r, e.point.y + r],
  ];
  return map.queryRenderedFeatures(box, { layers }).find((f) => f.id !== undefined);
}

function childAt(map: MapLibreMap, e: MapMouseEvent, h: InteractionHandlers): MapGeoJSONFeature | undefined {
  const layer = h.childLayer();
  const area = h.current();
  if (!layer || !area || !map.getLayer(HIT_LAYER[layer])) return undefined;
  return map
    .queryRenderedFeatures(e.point, { layers: [HIT_LAYER[layer]] })
    .find((f) => typeof f.properties.code === 'string' && f.properties.code.startsWith(area.code));
}

export function attachInteractions(map: MapLibreMap, h: InteractionHandlers): void {
  map.on('click', (e) => {
    if (h.claim?.(e)) return;
    const f = featureAt(map, e);
    if (f) {
      h.onFeature(f.source as TwinLayer, Number(f.id));
      return;
    }
    const child = childAt(map, e, h);
    if (child) {
      h.onDrill(String(child.properties.code));
      return;
    }
    h.onEmpty();
  });

  let frame = 0;
  map.on('mousemove', (e) => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      const f = featureAt(map, e);
      const child = f ? undefined : childAt(map, e, h);
      map.getCanvas().style.cursor = f || child || h.over?.(e) ? 'pointer' : '';
      h.hover(child && child.id !== undefined ? { layer: child.source as TwinLayer, id: Number(child.id) } : null);
    });
  });
  map.on('mouseout', () => h.hover(null));
}

const NONE: FilterSpecification = ['==', ['get', 'code'], '\u0000'];

/** Outlines the current area in amber; the district needs none (it has its own glow). */
export function highlightArea(map: MapLibreMap, area: Area): void {
  const own = LAYER_OF[area.level];
  for (const l of ADMIN_LAYERS) {
    const filter: FilterSpecification = l === own && l !== 'district' ? ['==', ['get', 'code'], area.code] : NONE;
    for (const id of [AREA_LINE[l], `${AREA_LINE[l]}-fill`]) {
      if (map.getLayer(id)) map.setFilter(id, filter);
    }
  }
}

/** Room the panels take on each side, so the fitted area is not hidden under them. */
function padding(): { top: number; bottom: number; left: number; right: number } {
  const narrow = window.matchMedia('(max-width: 720px)').matches;
  if (narrow) return { top: 24, bottom: Math.round(window.innerHeight * 0.42), left: 24, right: 24 };
  const details = document.body.classList.contains('details-open') ? 380 : 0;
  // The layer panel floats over the map's right edge: keep the area clear of it too.
  const layers = document.getElementById('layer-panel')?.getBoundingClientRect();
  const overRight = layers && layers.width > 0 ? window.innerWidth - layers.left : 0;
  return { top: 40, bottom: 40, left: 400, right: 40 + Math.max(details, overRight) };
}

/** Flies to one feature found by search, close enough to tell it from its neighbours. */
export function flyToFeature(map: MapLibreMap, center: [number, number]): void {
  map.flyTo({ center, zoom: Math.max(map.getZoom(), 16.5), pitch: 55, padding: padding(), essential: true });
}

export function fitArea(map: MapLibreMap, bbox: [number, number, number, number], maxZoom = 17, duration = 1200): void {
  map.fitBounds(
    [
      [bbox[0], bbox[1]],
      [bbox[2], bbox[3]],
    ],
    { padding: padding(), maxZoom, pitch: map.getPitch() > 5 ? 45 : 0, bearing: map.getBearing(), duration },
  );
}
