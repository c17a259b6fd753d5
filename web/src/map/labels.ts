// Names on the map: the current area's children (or the area itself at grid level), one
// label each at the centre of its box. Labels come from the area API rather than from the
// polygon tiles, where a polygon cut into many tiles would be named once per tile.

import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { Area } from '../areas';

export const LABEL_SOURCE = 'area-labels';

/** A child's name without its parents' (`福田街道福山社区第01网格` in 福山社区 → `第01网格`). */
export function shortName(name: string, parentName: string): string {
  const at = parentName ? name.indexOf(parentName) : -1;
  const rest = at >= 0 ? name.slice(at + parentName.length) : name;
  return rest || name;
}

export function setAreaLabels(map: MapLibreMap, area: Area): void {
  const source = map.getSource<GeoJSONSource>(LABEL_SOURCE);
  if (!source) return;
  const named = area.children.length
    ? area.children.map((c) => ({ code: c.code, name: shortName(c.name, area.name), bbox: c.bbox }))
    : [{ code: area.code, name: area.name, bbox: area.bbox }];
  source.setData({
    type: 'FeatureCollection',
    features: named
      .filter((n) => n.bbox)
      .map((n) => ({
        type: 'Feature',
        properties: { code: n.code, name: n.name },
        geometry: { type: 'Point', coordinates: [(n.bbox![0] + n.bbox![2]) / 2, (n.bbox![1] + n.bbox![3]) / 2] },
      })),
  });
}
