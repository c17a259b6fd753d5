// Open sensor alarms (智网 预警) in the reader's jurisdiction: `GET /api/v1/sensing/alarms`,
// asked every 15 seconds while the page is in view and a member of staff is signed in.
// One poll feeds everything that shows alarms on the map page (the alarm panel, the
// devices' colours), so they always agree. A guest never asks: the server would answer
// 401, which browsers log as an error; a 401 or 403 all the same (a session that ran
// out) stops the polling until who is reading changes.

import { ApiError, isAbort, politeMessage, request } from './api';
import { onSessionChange, session, type SessionInfo } from './session';
import { mayReadTickets } from './tickets/access';

/** Why an alarm was raised: a value past a limit, a jump, no reading for too long, moved. */
export type Condition = 'threshold' | 'rate' | 'silence' | 'geofence';

export interface Alarm {
  /** The Datastream (`device × 8 + k`). */
  stream: number;
  /** The device: its Thing id and its feature id in the twin's devices layer. */
  device: number;
  device_type: string;
  /** The quantity (`tilt`); null for an alarm about the device as a whole (where it is). */
  quantity: string | null;
  quantity_name: string | null;
  /** The reading's unit (`m` for how far a device moved); null where there is none. */
  unit: string | null;
  condition: Condition;
  /** The reading that raised it; null for `silence`. */
  value: number | null;
  since: string;
  grid_code: string | null;
  lon: number;
  lat: number;
  /** The ticket the alarm was filed as, once it is. */
  ticket: string | null;
}

export interface AlarmList {
  alarms: Alarm[];
  total: number;
}

/** What the page knows of the alarms now. */
export type AlarmsView =
  /** Not for this reader (a guest, a citizen), or refused: nothing is shown. */
  | { state: 'off' }
  | { state: 'loading' }
  | { state: 'shown'; list: AlarmList; at: number }
  /** The last poll failed; the last list (if any) is kept. */
  | { state: 'failed'; message: string; list: AlarmList | null };

export const POLL_MS = 15_000;
/** Enough for the panel and for colouring every device in alarm in a street. */
const LIMIT = 500;

/** Alarms are read with the tickets' grant (`cases.read`): the staff who handle them. */
export function mayReadAlarms(s: SessionInfo | null): boolean {
  return mayReadTickets(s);
}

export function fetchAlarms(signal?: AbortSignal): Promise<AlarmList> {
  return request<AlarmList>(`/api/v1/sensing/alarms?limit=${LIMIT}`, { signal });
}

/** Newest first, whatever order the server keeps. */
function newestFirst(list: AlarmList): AlarmList {
  const alarms = [...list.alarms].sort((a, b) => Date.parse(b.since) - Date.parse(a.since));
  return { alarms, total: Math.max(list.total ?? alarms.length, alarms.length) };
}

let view: AlarmsView = { state: 'off' };
let polls = 0;
let timer = 0;
let inflight: AbortController | null = null;
let refused = false;
const listeners: Array<(v: AlarmsView) => void> = [];

function set(next: AlarmsView): void {
  view = next;
  for (const f of listeners) f(view);
}

function active(): boolean {
  return mayReadAlarms(session()) && !refused;
}

function schedule(): void {
  clearTimeout(timer);
  if (active() && document.visibilityState === 'visible') timer = window.setTimeout(() => void poll(), POLL_MS);
}

async function poll(): Promise<void> {
  clearTimeout(timer);
  inflight?.abort();
  if (!active()) {
    inflight = null;
    if (view.state !== 'off') set({ state: 'off' });
    return;
  }
  const ctl = new AbortController();
  inflight = ctl;
  if (view.state === 'off') set({ state: 'loading' });
  try {
    const list = newestFirst(await fetchAlarms(ctl.signal));
    polls += 1;
    set({ state: 'shown', list, at: Date.now() });
  } catch (e) {
    if (isAbort(e)) return;
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      refused = true;
      set({ state: 'off' });
    } else {
      const last = view.state === 'shown' ? view.list : view.state === 'failed' ? view.list : null;
      set({ state: 'failed', message: politeMessage(e), list: last });
    }
  } finally {
    if (inflight === ctl) inflight = null;
  }
  schedule();
}

/**
 * Starts polling (once per page) and calls `f` with every new view. Polling pauses while
 * the page is hidden and starts again, at once, when it is shown.
 */
export function watchAlarms(f: (v: AlarmsView) => void): void {
  listeners.push(f);
  f(view);
  if (listeners.length > 1) return;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void poll();
    else {
      clearTimeout(timer);
      inflight?.abort();
    }
  });
  onSessionChange(() => {
    refused = false;
    void poll();
  });
  void poll();
}

/** Asks again now (a ticket changed: an alarm may just have been filed as one). */
export function refreshAlarms(): void {
  if (active() && document.visibilityState === 'visible') void poll();
}

/** For tests: how many polls answered, and what is shown. */
export function alarmsState(): { polls: number; state: string; alarms: Alarm[]; total: number } {
  const list = view.state === 'shown' ? view.list : view.state === 'failed' ? view.list : null;
  return { polls, state: view.state, alarms: list?.alarms ?? [], total: list?.total ?? 0 };
}
