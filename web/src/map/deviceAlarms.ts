// Devices in alarm, drawn on the 3D map: each device with an open alarm gets the feature
// state `alarm` ('alarm', drawn red, or 'silent', drawn grey, when its only alarms are
// that it stopped reporting), which the `devices-dot` layer's paint reads (`style.ts`).
// The devices' vector tiles carry each device's id as the MVT feature id (crates/tiles,
// `render.rs`), the same id the alarms name, so no `promoteId` is needed; a state set
// before a tile arrives is applied when it does, and survives the tiles' live reloads.

import type { Map as MapLibreMap } from 'maplibre-gl';
import type { Alarm } from '../alarms';

export type DeviceAlarmState = 'alarm' | 'silent';

const SOURCE = 'devices';
const KEY = 'alarm';

/** Each device's state from its alarms: any alarm but silence makes it red. */
export function deviceStates(alarms: Alarm[]): Map<number, DeviceAlarmState> {
  const out = new Map<number, DeviceAlarmState>();
  for (const a of alarms) {
    if (a.condition !== 'silence') out.set(a.device, 'alarm');
    else if (!out.has(a.device)) out.set(a.device, 'silent');
  }
  return out;
}

let marked = new Map<number, DeviceAlarmState>();

/** Marks the devices of `alarms` on the map and clears the ones no longer in alarm. */
export function paintDeviceAlarms(map: MapLibreMap, alarms: Alarm[]): void {
  const next = deviceStates(alarms);
  if (!map.getSource(SOURCE)) {
    marked = next;
    return;
  }
  for (const id of marked.keys()) {
    if (!next.has(id)) map.removeFeatureState({ source: SOURCE, sourceLayer: SOURCE, id }, KEY);
  }
  for (const [id, state] of next) {
    if (marked.get(id) !== state) map.setFeatureState({ source: SOURCE, sourceLayer: SOURCE, id }, { [KEY]: state });
  }
  marked = next;
}

/** For tests: the state the map holds for device `id` (null: drawn as usual). */
export function deviceAlarmState(map: MapLibreMap, id: number): DeviceAlarmState | null {
  if (!map.getSource(SOURCE)) return null;
  const s = map.getFeatureState({ source: SOURCE, sourceLayer: SOURCE, id }) as { alarm?: DeviceAlarmState } | undefined;
  return s?.alarm ?? null;
}
