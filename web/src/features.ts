// Reading one twin feature through OGC API Features. The server masks properties to the
// signed-in reader's entitlement (session cookie), so what comes back is what may be shown.

import { request } from './api';

export interface Geometry {
  type: string;
  coordinates: unknown;
}

export interface TwinFeature {
  type: 'Feature';
  id: number | string;
  geometry: Geometry | null;
  properties: Record<string, unknown>;
}

export function fetchFeature(layer: string, id: number | string, signal?: AbortSignal): Promise<TwinFeature> {
  return request<TwinFeature>(
    `/ogc/collections/${encodeURIComponent(layer)}/items/${encodeURIComponent(String(id))}`,
    { accept: 'application/geo+json', signal },
  );
}

/** The bounding box of any GeoJSON geometry, or null for an empty one. */
export function geometryBbox(g: Geometry | null): [number, number, number, number] | null {
  if (!g) return null;
  let minx = Infinity;
  let miny = Infinity;
  let maxx = -Infinity;
  let maxy = -Infinity;
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      minx = Math.min(minx, c[0]);
      maxx = Math.max(maxx, c[0]);
      miny = Math.min(miny, c[1]);
      maxy = Math.max(maxy, c[1]);
      return;
    }
    for (const x of c) walk(x);
  };
  walk(g.coordinates);
  return Number.isFinite(minx) ? [minx, miny, maxx, maxy] : null;
}
