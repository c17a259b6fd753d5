// The MapLibre map: created over the whole of Futian, pitched a little for 3D, with the style built from
// our own tilesets. Also the small helpers other views use to mark features on it.

import maplibregl, { type Map as MapLibreMap, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { FONT_STACK, type TwinLayer } from './style';

/** 一屏看尽: the whole district, its ten streets at a glance, seen a little from the south.
 * The page then fits the district's own box to the screen it has. */
export const HOME = { center: [114.043, 22.545] as [number, number], zoom: 12.2, pitch: 30, bearing: 0 };

export function createMap(container: HTMLElement, style: StyleSpecification): MapLibreMap {
  const map = new maplibregl.Map({
    container,
    style,
    ...HOME,
    maxPitch: 70,
    minZoom: 9,
    localIdeographFontFamily: FONT_STACK.join(', '),
    attributionControl: { compact: true, customAttribution: '福镜 CityMirror' },
    // Tests and screenshots read the canvas back.
    canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
  });
  map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), 'bottom-right');
  map.addControl(new maplibregl.ScaleControl({ maxWidth: 120, unit: 'metric' }), 'bottom-left');
  return map;
}

/** Whether the browser can draw the map at all (no WebGL, no map: the page says so). */
export function webglAvailable(): boolean {
  try {
    const c = document.createElement('canvas');
    return !!(c.getContext('webgl2') ?? c.getContext('webgl'));
  } catch {
    return false;
  }
}

let selected: { layer: TwinLayer; id: number } | null = null;

/** Marks one feature as selected (amber on the map); null clears the mark. */
export function markSelected(map: MapLibreMap, next: { layer: TwinLayer; id: number } | null): void {
  if (selected && map.getSource(selected.layer)) {
    map.setFeatureState({ source: selected.layer, sourceLayer: selected.layer, id: selected.id }, { selected: false });
  }
  selected = next;
  if (next && map.getSource(next.layer)) {
    map.setFeatureState({ source: next.layer, sourceLayer: next.layer, id: next.id }, { selected: true });
  }
}

let hovered: { layer: TwinLayer; id: number } | null = null;

/** Lights up the area under the pointer (the child the next click drills into). */
export function markHovered(map: MapLibreMap, next: { layer: TwinLayer; id: number } | null): void {
  if (hovered?.layer === next?.layer && hovered?.id === next?.id) return;
  if (hovered && map.getSource(hovered.layer)) {
    map.setFeatureState({ source: hovered.layer, sourceLayer: hovered.layer, id: hovered.id }, { hover: false });
  }
  hovered = next;
  if (next && map.getSource(next.layer)) {
    map.setFeatureState({ source: next.layer, sourceLayer: next.layer, id: next.id }, { hover: true });
  }
}
