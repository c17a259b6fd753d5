// The queue: the tickets the signed-in person may read (their unit's, their area's, or
// the whole district's for supervisors), newest first, with filters by status, service,
// supervision and overdue. Each row says how long its running deadline has left, red
// once past. The server pages by `before`; "load more" asks for the next page.

import { isAbort, politeMessage } from '../api';
import { lang, t } from '../i18n';
import { listTickets, type QueueFilter } from '../tickets/api';
import { statusChip, ticketBadges } from '../tickets/chips';
import { named } from '../tickets/labels';
import type { Catalogue, Ticket } from '../tickets/model';
import { dateTime } from '../tickets/time';
import { timerBadge } from '../tickets/timers';
import { h, replace } from '../ui/dom';

const PAGE = 50;
const STATUSES = ['triage', 'dispatched', 'accepted', 'contacted', 'on-site', 'resolved', 'closed'];

export interface QueueFilters {
  status: string;
  service: string;
  supervised: boolean;
  /** Not a server filter: the loaded rows are narrowed to overdue ones here. */
  overdue: boolean;
}

export interface Queue {
  reload(): Promise<void>;
  select(number: string | null): void;
  numbers(): string[];
}

function filterBar(cat: Catalogue, f: QueueFilters, changed: () => void): HTMLElement {
  const s = t();
  const status = h(
    'select',
    { id: 'filter-status', 'aria-label': s.filterStatus },
    h('option', { value: 'open', selected: f.status === 'open' }, s.filterOpen),
    ...STATUSES.map((st) => h('option', { value: st, selected: f.status === st }, s.statusNames[st] ?? st)),
    h('option', { value: '', selected: f.status === '' }, s.filterAll),
  );
  const service = h(
    'select',
    { id: 'filter-service', 'aria-label': s.filterService },
    h('option', { value: '' }, s.filterAnyService),
    ...cat.families.map((fam) =>
      h(
        'optgroup',
        { label: lang() === 'en' ? fam.name_en : fam.name },
        ...cat.services.filter((x) => x.family === fam.code).map((x) => h('option', { value: x.code, selected: f.service === x.code }, lang() === 'en' ? x.name_en : x.name)),
      ),
    ),
  );
  const check = (id: string, label: string, key: 'overdue' | 'supervised') =>
    h(
      'label',
      { class: 'filter-check' },
      h('input', {
        type: 'checkbox',
        id,
        checked: f[key],
        onchange: (e: Event) => {
          f[key] = (e.target as HTMLInputElement).checked;
          changed();
        },
      }),
      label,
    );
  status.addEventListener('change', () => {
    f.status = status.value;
    changed();
  });
  service.addEventListener('change', () => {
    f.service = service.value;
    changed();
  });
  return h(
    'div',
    { class: 'queue-filters' },
    h('div', { class: 'filter-row' }, status, service),
    h('div', { class: 'filter-row' }, check('filter-overdue', s.filterOverdue, 'overdue'), check('filter-supervised', s.filterSupervised, 'supervised')),
  );
}

function row(tk: Ticket, selected: boolean, open: (n: string) => void): HTMLElement {
  const s = t();
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: `queue-item${selected ? ' selected' : ''}${tk.overdue ? ' is-overdue' : ''}`,
        'data-number': tk.number,
        'data-status': tk.status,
        'aria-current': selected ? 'true' : null,
        onclick: () => open(tk.number),
      },
      h('span', { class: 'queue-line' }, h('span', { class: 'ticket-number' }, tk.number), statusChip(tk.status), ...ticketBadges(tk)),
      h('span', { class: 'queue-title' }, tk.title || tk.description || s.ticketTitleless),
      h('span', { class: 'queue-line sub' }, h('span', { class: 'queue-service' }, named(tk.service)), h('span', { class: 'queue-when' }, dateTime(tk.created_at))),
      h('span', { class: 'queue-line sub' }, h('span', { class: 'queue-unit' }, tk.lead_unit?.name ?? s.statusNames.triage), timerBadge(tk)),
    ),
  );
}

export function defaultFilters(): QueueFilters {
  return { status: 'open', service: '', supervised: false, overdue: false };
}

/** The queue in `host`; `f` outlives it (a new language draws the queue again). */
export function mountQueue(host: HTMLElement, cat: Catalogue, f: QueueFilters, open: (n: string) => void): Queue {
  const s = t();
  let tickets: Ticket[] = [];
  let next: number | null = null;
  let selected: string | null = null;
  let inflight: AbortController | null = null;
  const list = h('ul', { class: 'queue-list', 'aria-label': s.queue });
  const count = h('span', { class: 'queue-count' });
  const more = h('button', { type: 'button', class: 'button ghost wide', hidden: true }, s.loadMore);

  const draw = () => {
    const visible = f.overdue ? tickets.filter((tk) => tk.overdue) : tickets;
    count.textContent = String(visible.length) + (next ? '+' : '');
    replace(list, ...(visible.length ? visible.map((tk) => row(tk, tk.number === selected, open)) : [h('li', { class: 'muted pad' }, s.queueEmpty)]));
    more.hidden = next === null;
  };

  const load = async (append: boolean) => {
    inflight?.abort();
    const ctl = new AbortController();
    inflight = ctl;
    const q: QueueFilter = { status: f.status, service: f.service, supervised: f.supervised, limit: PAGE, before: append ? (next ?? undefined) : undefined };
    try {
      const page = await listTickets(q, ctl.signal);
      tickets = append ? tickets.concat(page.tickets) : page.tickets;
      next = page.next_before;
      draw();
    } catch (e) {
      if (!isAbort(e)) replace(list, h('li', { class: 'notice' }, politeMessage(e)));
    }
  };

  more.addEventListener('click', () => void load(true));
  replace(
    host,
    h('div', { class: 'queue-head' }, h('h2', {}, s.queue), count),
    filterBar(cat, f, () => void load(false)),
    list,
    more,
  );
  return {
    reload: () => load(false),
    select(n) {
      selected = n;
      draw();
    },
    numbers: () => tickets.map((tk) => tk.number),
  };
}
