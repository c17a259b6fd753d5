// Unit names for the ids the history and the dispatch form carry (`440304-D01` is the
// district's 城市管理和综合执法局), read once per page from `/api/v1/units`. Without the
// right to read units the ids are shown as they are.

import { listUnits, type UnitSummary } from '../tickets/api';

let units: UnitSummary[] = [];
let loading: Promise<void> | null = null;

export function loadUnits(): Promise<void> {
  loading ??= listUnits()
    .then((r) => {
      units = r.units;
    })
    .catch(() => {
      units = [];
    });
  return loading;
}

export function unitName(id: string): string | null {
  return units.find((u) => u.id === id)?.name ?? null;
}

/** Units a ticket may be sent to by hand: the departments and the street offices. */
export function dispatchUnits(): UnitSummary[] {
  return units.filter((u) => u.kind === 'department' || u.kind === 'street-office');
}
