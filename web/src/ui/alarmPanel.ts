// The alarm panel (设备告警): the open sensor alarms in the reader's jurisdiction, newest
// first, for staff only. Each row says what is wrong (device type, quantity, the reading,
// the condition), since when, in which grid, and the ticket it was filed as, which opens
// in the workbench. A click on the row flies the map to the device and opens its details.

import type { Alarm, AlarmsView } from '../alarms';
import { lang, onLanguageChange, t } from '../i18n';
import { byId, h, replace } from './dom';

export interface AlarmPanelHandlers {
  /** A row was clicked: show this device. */
  onAlarm(a: Alarm): void;
}

/** Rows drawn at most; the rest are counted. */
const MAX_ROWS = 60;

/** `3 分钟前` / `3 min ago`, in the largest unit only: enough to tell new from old. */
export function ago(iso: string, now = Date.now()): string {
  const s = t();
  const secs = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (secs < 60) return s.ago(0, 'now');
  if (secs < 3600) return s.ago(Math.floor(secs / 60), 'm');
  if (secs < 86400) return s.ago(Math.floor(secs / 3600), 'h');
  return s.ago(Math.floor(secs / 86400), 'd');
}

/** A reading with its unit: `22.5°`, `0.35 m`; a silent device has none. */
export function reading(value: number | null, unit: string | null): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t().noValue;
  const n = Number(value.toFixed(2)).toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: 2 });
  if (!unit) return n;
  return /^[°%‰℃]/.test(unit) ? `${n}${unit}` : `${n} ${unit}`;
}

function row(a: Alarm, handlers: AlarmPanelHandlers, now: number): HTMLElement {
  const s = t();
  const when = new Date(a.since);
  const li = h(
    'li',
    { class: 'alarm-row', 'data-stream': a.stream, 'data-device': a.device, 'data-condition': a.condition },
    h(
      'button',
      { type: 'button', class: 'alarm-main', title: s.alarmShow },
      h('span', { class: `alarm-cond cond-${a.condition}` }, s.alarmConditions[a.condition] ?? a.condition),
      h(
        'span',
        { class: 'alarm-what' },
        h('span', { class: 'alarm-device' }, a.device_type),
        a.quantity_name || a.quantity ? h('span', { class: 'alarm-quantity' }, a.quantity_name || a.quantity) : null,
      ),
      h('span', { class: 'alarm-value' }, reading(a.value, a.unit)),
    ),
    h(
      'div',
      { class: 'alarm-meta' },
      h('time', { class: 'alarm-since', datetime: a.since, title: Number.isNaN(when.getTime()) ? a.since : when.toLocaleString() }, ago(a.since, now)),
      a.grid_code ? h('span', { class: 'alarm-grid' }, `${s.alarmGrid} ${a.grid_code}`) : null,
      a.ticket
        ? h('a', { class: 'alarm-ticket', href: `/workbench.html#${encodeURIComponent(a.ticket)}`, title: s.alarmOpenTicket(a.ticket) }, a.ticket)
        : h('span', { class: 'alarm-ticket none' }, s.alarmNoTicket),
    ),
  );
  // The whole row shows the device (the button is its keyboard way in); the ticket's
  // link goes to the workbench instead.
  li.addEventListener('click', (e) => {
    if (!(e.target as Element).closest('a')) handlers.onAlarm(a);
  });
  return li;
}

/**
 * Mounts the panel in `#alarm-panel`. It is hidden while the view is `off` (guests,
 * citizens, a refusal); `update` redraws it with each poll (which also moves the
 * relative times on).
 */
export function mountAlarmPanel(handlers: AlarmPanelHandlers): { update(v: AlarmsView): void } {
  const host = byId('alarm-panel');
  let view: AlarmsView = { state: 'off' };
  // Folded or open as the reader left it; open at first on a desk, folded on a phone.
  let open: boolean | null = null;

  // The area panel above gives the alarm panel room (`--alarm-room`, panels.css).
  const stage = host.parentElement;
  const room = () => stage?.style.setProperty('--alarm-room', host.hidden ? '0px' : `${host.offsetHeight + 10}px`);
  if (typeof ResizeObserver !== 'undefined') new ResizeObserver(room).observe(host);

  const render = () => {
    const s = t();
    const shown = view.state !== 'off';
    host.hidden = !shown;
    document.body.classList.toggle('alarms-shown', shown);
    if (!shown) {
      replace(host);
      room();
      return;
    }
    const list = view.state === 'shown' ? view.list : view.state === 'failed' ? view.list : null;
    const alarms = list?.alarms ?? [];
    const total = list?.total ?? 0;
    const now = Date.now();
    const body: Array<HTMLElement | null> = [];
    if (view.state === 'failed') body.push(h('p', { class: 'notice alarm-note' }, s.alarmsFailed));
    if (view.state === 'loading') body.push(h('p', { class: 'muted alarm-note' }, s.loading));
    else if (list && alarms.length === 0) body.push(h('p', { class: 'muted alarm-note alarm-empty' }, s.alarmsNone));
    if (alarms.length) {
      body.push(h('ol', { class: 'alarm-list' }, ...alarms.slice(0, MAX_ROWS).map((a) => row(a, handlers, now))));
      if (total > Math.min(alarms.length, MAX_ROWS)) body.push(h('p', { class: 'muted alarm-note' }, s.alarmsMore(total - Math.min(alarms.length, MAX_ROWS))));
    }
    const box = h(
      'details',
      { class: 'alarm-box', open: open ?? window.matchMedia('(min-width: 721px)').matches },
      h(
        'summary',
        {},
        h('span', { class: 'alarm-title' }, s.alarmsTitle),
        h('span', { class: `alarm-count${total ? ' hot' : ''}`, 'data-total': total }, String(total)),
      ),
      h('div', { class: 'alarm-body' }, ...body),
    );
    box.addEventListener('toggle', () => {
      open = box.open;
      room();
    });
    // A poll redraws the list under the reader's eyes: keep where they had scrolled to.
    const scrolled = host.querySelector('.alarm-body')?.scrollTop ?? 0;
    replace(host, box);
    box.querySelector('.alarm-body')!.scrollTop = scrolled;
    room();
  };

  render();
  onLanguageChange(render);
  return {
    update(v) {
      view = v;
      render();
    },
  };
}
