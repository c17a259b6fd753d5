// The four-level grid (区-街道-社区-网格) as the area API describes it: one area with its
// headline figures (within the reader's scope) and its children.

import { request } from './api';
import type { AdminLayer } from './map/style';

export type Level = 'district' | 'street' | 'community' | 'grid';

export interface Counts {
  buildings: number;
  components: number;
  devices: number;
  cameras: number;
  pipes: number;
  /** Null when the reader may not see population figures. */
  people: number | null;
}

export interface AreaRef {
  code: string;
  name: string;
  level: Level;
}

export type Bbox = [number, number, number, number];

export interface Area extends AreaRef {
  parent: AreaRef | null;
  /** Null only for an area without a geometry. */
  bbox: Bbox | null;
  center: [number, number] | null;
  counts: Counts;
  children: Array<AreaRef & { counts: Counts; bbox?: Bbox | null }>;
}

/** The map layer that draws areas of each level. */
export const LAYER_OF: Record<Level, AdminLayer> = {
  district: 'district',
  street: 'streets',
  community: 'communities',
  grid: 'grids',
};

/** The level below, whose areas a click inside this one drills into. */
export const CHILD_LEVEL: Record<Level, Level | null> = {
  district: 'street',
  street: 'community',
  community: 'grid',
  grid: null,
};

/** The district (`code` omitted) or one area by its grid code. */
export function fetchArea(code?: string, signal?: AbortSignal): Promise<Area> {
  return request<Area>(code ? `/api/v1/areas/${encodeURIComponent(code)}` : '/api/v1/areas', { signal });
}
