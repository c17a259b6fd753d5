// The server's tilesets: each layer's TileJSON (`GET /tiles/{layer}`), and reloading a
// layer's tiles after a live change. Tiles are served `Cache-Control: no-cache` with an
// ETag that moves with the layer's revision, so a reload revalidates with the server and
// never shows a stale tile from the browser's cache.

import type { Map as MapLibreMap } from 'maplibre-gl';
import { request } from '../api';
import { TWIN_LAYERS, type TileSource, type TwinLayer } from './style';

interface TileJson {
  tilejson: string;
  tiles: string[];
  minzoom?: number;
  maxzoom?: number;
  bounds?: [number, number, number, number];
}

/**
 * Tile URLs on our own origin: the page loads nothing from anywhere else (and behind a
 * proxy the server's idea of its own address may differ from the page's). Absolute,
 * because MapLibre fetches tiles in a worker, where a path has no base to resolve against.
 */
function sameOrigin(url: string): string {
  const u = new URL(url, location.href);
  return location.origin + decodeURI(u.pathname) + u.search;
}

const versions = new Map<TwinLayer, number>();

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
        sources[layer] = {
          tiles: tj.tiles.map(sameOrigin),
          minzoom: tj.minzoom,
          maxzoom: tj.maxzoom,
          // TileJSON `bounds` cover the layer as it was when the page opened; a feature
          // created later beyond them must still be fetched, so they are not passed on.
        };
      } catch {
        failed.push(layer);
      }
    }),
  );
  return { sources, failed };
}

/**
 * Makes the open map fetch `layer`'s tiles again (those in view now, and forgets the ones
 * out of view), drawing the old ones until the new arrive.
 */
export function refreshLayerTiles(map: MapLibreMap, layer: TwinLayer): void {
  if (!map.getSource(layer)) return;
  versions.set(layer, (versions.get(layer) ?? 0) + 1);
  map.refreshTiles(layer);
}

/** How many times `layer` has been refreshed (tests read it through the test hook). */
export function tileVersion(layer: TwinLayer): number {
  return versions.get(layer) ?? 0;
}
