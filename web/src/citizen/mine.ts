// My requests (我的诉求): what the signed-in citizen has sent, newest first, each leading
// to its progress; and the requests they chose to follow, with the status they had then
// (the server offers no way to follow another's request for now, see the report).

import { politeMessage } from '../api';
import { t } from '../i18n';
import { listTickets } from '../tickets/api';
import { statusChip, ticketBadges } from '../tickets/chips';
import { named } from '../tickets/labels';
import type { PublicTicket } from '../tickets/model';
import { dateTime } from '../tickets/time';
import { h, replace } from '../ui/dom';
import { followed } from './memory';

function item(tk: Pick<PublicTicket, 'number' | 'status' | 'service' | 'title' | 'description'>, when: string, href: string | null): HTMLElement {
  const inner = [
    h('div', { class: 'mine-head' }, h('span', { class: 'ticket-number' }, tk.number), statusChip(tk.status)),
    h('div', { class: 'mine-service' }, named(tk.service)),
    h('div', { class: 'mine-text' }, tk.title || tk.description),
    h('div', { class: 'mine-meta' }, when),
  ];
  return h('li', { class: 'mine-item', 'data-number': tk.number }, href ? h('a', { class: 'mine-link', href }, ...inner) : h('div', { class: 'mine-link' }, ...inner));
}

export function mineView(): HTMLElement {
  const s = t();
  const list = h('ul', { class: 'mine-list' }, h('li', { class: 'muted pad' }, s.loading));
  const refresh = async () => {
    try {
      const { tickets } = await listTickets({ limit: 100 });
      replace(
        list,
        ...(tickets.length
          ? tickets.map((tk) => {
              const li = item(tk, dateTime(tk.created_at), `#track/${encodeURIComponent(tk.number)}`);
              li.querySelector('.mine-head')?.append(...ticketBadges(tk));
              return li;
            })
          : [h('li', { class: 'muted pad' }, s.mineEmpty)]),
      );
    } catch (e) {
      replace(list, h('li', { class: 'notice' }, politeMessage(e)));
    }
  };
  void refresh();
  const follows = followed();
  return h(
    'section',
    { class: 'mine' },
    h(
      'div',
      { class: 'view-head' },
      h('h2', {}, s.tabMine),
      h('button', { type: 'button', class: 'button ghost small', onclick: () => void refresh() }, s.refresh),
    ),
    list,
    follows.length
      ? h(
          'div',
          { class: 'followed' },
          h('h3', { class: 'section-title' }, s.mineFollowed),
          h('ul', { class: 'mine-list' }, ...follows.map((f) => item(f, s.lastKnown(dateTime(f.at)), null))),
        )
      : null,
  );
}
