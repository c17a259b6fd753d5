// The server's tilesets: each layer's TileJSON (`GET /tiles/{layer}`), and the cache-buster
// that makes MapLibre fetch a layer's tiles afresh after a live change. The server ignores
// query strings on tiles, so `?v=N` only tells the browser's cache the tile is new.

import type { Map as MapLibreMap, VectorTileSource } from 'maplibre-gl';
import { request } from '../api';
import { TWIN_LAYERS, type TileSource, type TwinLayer } from './style';

interface TileJson {
  tilejson: string;
  tiles: string[];
  minzoom?: number;
  maxzoom?: number;
  bounds?: [number, number, number, number];
}

/** Tile URLs on our own origin: the page loads nothing from anywhere else. */
function sameOrigin(url: string): string {
  const u = new URL(url, location.href);
  return decodeURI(u.pathname) + u.search;
}

const templates = new Map<TwinLayer, string[]>();
const versions = new Map<TwinLayer, number>();

function withVersion(layer: TwinLayer): string[] {
  const v = versions.get(layer) ?? 0;
  return (templates.get(layer) ?? []).map((u) => (v ? `${u}${u.includes('?') ? '&' : '?'}v=${v}` : u));
}

/**
 * Every layer's TileJSON, fetched at once. A layer whose TileJSON fails is left out (the
 * map still draws the others); `failed` names them so the page can say so.
 */
export async function loadTilesets(): Promise<{
  sources: Partial<Record<TwinLayer, TileSource>>;
  failed: TwinLayer[];
}> {
  const sources: Partial<Record<TwinLayer, TileSource>> = {};
  const failed: TwinLayer[] = [];
  await Promise.all(
    TWIN_LAYERS.map(async (layer) => {
      try {
        const tj = await request<TileJson>(`/tiles/${layer}`);
        templates.set(layer, tj.tiles.map(sameOrigin));
        sources[layer] = {
          tiles: withVersion(layer),
          minzoom: tj.minzoom,
          maxzoom: tj.maxzoom,
          bounds: tj.bounds,
        };
      } catch {
        failed.push(layer);
      }
    }),
  );
  return { sources, failed };
}

/** Makes the open map fetch `layer`'s tiles again, keeping the old ones until the new arrive. */
export function refreshLayerTiles(map: MapLibreMap, layer: TwinLayer): void {
  const source = map.getSource<VectorTileSource>(layer);
  if (!source || !templates.has(layer)) return;
  versions.set(layer, (versions.get(layer) ?? 0) + 1);
  source.setTiles(withVersion(layer));
}

/** How many times `layer` has been refreshed (tests read it through the test hook). */
export function tileVersion(layer: TwinLayer): number {
  return versions.get(layer) ?? 0;
}
