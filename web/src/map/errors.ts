// MapLibre's own failures (a tile that would not load or parse): said once, politely,
// instead of MapLibre's default of logging each to the console. The list is kept for the
// tests, which expect it empty.

import type { Map as MapLibreMap } from 'maplibre-gl';
import { t } from '../i18n';
import { notify } from '../ui/toast';

export function watchMapErrors(map: MapLibreMap): string[] {
  const seen: string[] = [];
  map.on('error', (e) => {
    const message = e.error?.message ?? String(e.error);
    if (seen.length < 50) seen.push(message);
    console.warn('map:', message);
    notify(t().errorMap, 'error', 10000);
  });
  return seen;
}
