// The three deadlines of a ticket (contact the citizen, be on site, resolve: the district's
// 10-30-24 rule and the service's working days), each with the time left or past. The
// texts are refreshed every second by one interval per page, not one per timer.

import { t } from '../i18n';
import { h } from '../ui/dom';
import type { Ticket, Timer } from './model';
import { dateTime, duration } from './time';

const STAGES: Array<['contact' | 'on_site' | 'close', string]> = [
  ['contact', 'contact'],
  ['on_site', 'on-site'],
  ['close', 'close'],
];

/** The state of one deadline now: met (on time or late), running, or past. */
export function timerState(tm: Timer, now = Date.now()): { text: string; cls: string } {
  const s = t();
  if (tm.met_at) {
    const onTime = tm.on_time ?? new Date(tm.met_at) <= new Date(tm.due);
    return { text: s.timerMet(onTime), cls: onTime ? 'met' : 'met late' };
  }
  const left = new Date(tm.due).getTime() - now;
  if (left < 0 || tm.breached) return { text: s.timerOver(duration(left)), cls: 'over' };
  return { text: s.timerLeft(duration(left)), cls: tm.warned ? 'running warned' : 'running' };
}

/** The deadline that matters most now: the first one not met (for lists). */
export function currentTimer(tk: Ticket): Timer | null {
  for (const [key] of STAGES) {
    const tm = tk.timers[key];
    if (tm && !tm.met_at) return tm;
  }
  return null;
}

function timerText(el: HTMLElement, tm: Timer): void {
  const st = timerState(tm);
  el.textContent = st.text;
  el.className = `timer-left ${st.cls}`;
}

/** The deadlines of a ticket, as a small table that keeps counting. */
export function renderTimers(tk: Ticket): HTMLElement {
  const s = t();
  const rows = STAGES.flatMap(([key, stage]) => {
    const tm = tk.timers[key];
    if (!tm) return [];
    const left = h('span', { class: 'timer-left' });
    timerText(left, tm);
    watched.set(left, tm);
    return [
      h(
        'div',
        { class: 'timer-row', 'data-stage': stage },
        h('span', { class: 'timer-stage' }, s.stageNames[stage] ?? stage),
        left,
        h('span', { class: 'timer-due' }, `${s.timerDue} ${dateTime(tm.due)}`),
      ),
    ];
  });
  return h('div', { class: 'timers' }, ...rows);
}

/** A running deadline's text for a list row. */
export function timerBadge(tk: Ticket): HTMLElement | null {
  const tm = currentTimer(tk);
  if (!tm || tk.status === 'closed') return null;
  const el = h('span', { class: 'timer-left' });
  timerText(el, tm);
  watched.set(el, tm);
  return el;
}

// Every counting text on the page, refreshed together; ones no longer on the page are
// dropped as the interval finds them.
const watched = new Map<HTMLElement, Timer>();
window.setInterval(() => {
  for (const [el, tm] of watched) {
    if (!el.isConnected) watched.delete(el);
    else timerText(el, tm);
  }
}, 1000);
