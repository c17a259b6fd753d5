// A small flat map of one place: the twin's own basemap (roads, water, parks, buildings,
// the area lines) from the same tiles and style as the 3D map, with a pin. The citizen
// drops the pin where the problem is; the workbench shows where a ticket lies. Without
// WebGL there is no map, and the pages work on with the address alone.

import maplibregl, { type Map as MapLibreMap, type Marker } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { webglAvailable } from '../map/map';
import { buildStyle, FONT_STACK, type TileSource, type TwinLayer } from '../map/style';
import { loadTilesets } from '../map/tilesets';
import { h } from '../ui/dom';

/** The layers a small map needs: enough to tell where one is, nothing to click. */
const BASEMAP: TwinLayer[] = ['district', 'streets', 'communities', 'grids', 'buildings', 'roads', 'water', 'parks', 'landmarks'];

let tilesets: Promise<Partial<Record<TwinLayer, TileSource>>> | null = null;

function basemapSources(): Promise<Partial<Record<TwinLayer, TileSource>>> {
  tilesets ??= loadTilesets().then(({ sources }) =>
    Object.fromEntries(Object.entries(sources).filter(([l]) => BASEMAP.includes(l as TwinLayer))),
  );
  return tilesets;
}

export interface MiniMap {
  map: MapLibreMap;
  pin: Marker;
  /** Moves the pin (and, with `fly`, the view) to a point. */
  place(at: [number, number], fly?: boolean): void;
}

export interface MiniMapOptions {
  center: [number, number];
  zoom?: number;
  /** The citizen's picker: the pin follows taps and can be dragged. */
  pick?: (at: [number, number]) => void;
  /** Whether to draw the pin at `center` at once. */
  pinned?: boolean;
}

function pinElement(): HTMLElement {
  return h('div', { class: 'map-pin', 'aria-hidden': 'true' }, h('span', { class: 'map-pin-head' }));
}

/** A small map in `container`, or null where the browser has no WebGL. */
export async function createMiniMap(container: HTMLElement, opts: MiniMapOptions): Promise<MiniMap | null> {
  if (!webglAvailable()) return null;
  const style = buildStyle(await basemapSources());
  const map = new maplibregl.Map({
    container,
    style,
    center: opts.center,
    zoom: opts.zoom ?? 16,
    pitch: 0,
    minZoom: 10,
    maxPitch: 0,
    dragRotate: false,
    localIdeographFontFamily: FONT_STACK.join(', '),
    attributionControl: { compact: true, customAttribution: '福镜 CityMirror' },
    // Tests read the canvas back, as on the 3D map.
    canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const pin = new maplibregl.Marker({ element: pinElement(), anchor: 'bottom', draggable: !!opts.pick });
  let shown = false;
  const place = (at: [number, number], fly = false) => {
    pin.setLngLat(at);
    if (!shown) {
      pin.addTo(map);
      shown = true;
    }
    if (fly) map.easeTo({ center: at, zoom: Math.max(map.getZoom(), 16), duration: 600 });
  };
  if (opts.pinned) place(opts.center);
  if (opts.pick) {
    const pick = opts.pick;
    map.on('click', (e) => {
      const at: [number, number] = [e.lngLat.lng, e.lngLat.lat];
      place(at);
      pick(at);
    });
    pin.on('dragend', () => {
      const p = pin.getLngLat();
      pick([p.lng, p.lat]);
    });
  }
  return { map, pin, place };
}
