// The small marks a ticket carries wherever it is listed: its status in its colour, and
// badges for urgent, overdue and supervised.

import { t } from '../i18n';
import { h } from '../ui/dom';
import { statusName } from './labels';
import type { PublicTicket, Ticket } from './model';

export function statusChip(status: string): HTMLElement {
  return h('span', { class: `status-chip st-${status}`, 'data-status': status }, statusName(status));
}

export function ticketBadges(tk: PublicTicket | Ticket): HTMLElement[] {
  const s = t();
  const out: HTMLElement[] = [];
  if (tk.urgency === 'urgent') out.push(h('span', { class: 'tk-badge urgent' }, s.urgent));
  if (tk.overdue) out.push(h('span', { class: 'tk-badge overdue' }, s.overdue));
  if ('supervised' in tk && tk.supervised) out.push(h('span', { class: 'tk-badge supervised' }, s.supervised));
  return out;
}
