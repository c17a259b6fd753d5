// Before a request is sent: open requests nearby that look like it (within 100 m and
// saying much the same, or about the same road or building). The citizen may follow
// one of them instead of filing the same problem again, or say it is not the same.

import { t } from '../i18n';
import { statusChip } from '../tickets/chips';
import { named } from '../tickets/labels';
import type { SimilarTicket } from '../tickets/model';
import { dateTime } from '../tickets/time';
import { h } from '../ui/dom';

export interface SimilarChoice {
  follow(tk: SimilarTicket): void;
  sendAnyway(): void;
}

export function similarBox(found: SimilarTicket[], choice: SimilarChoice): HTMLElement {
  const s = t();
  return h(
    'section',
    { class: 'similar-box', role: 'region', 'aria-label': s.similarTitle },
    h('h3', { class: 'section-title' }, s.similarTitle),
    h('p', { class: 'hint' }, s.similarIntro),
    h(
      'ul',
      { class: 'similar-list' },
      ...found.map((tk) =>
        h(
          'li',
          { class: 'similar-item', 'data-number': tk.number },
          h('div', { class: 'similar-head' }, h('span', { class: 'ticket-number' }, tk.number), statusChip(tk.status)),
          h('div', { class: 'similar-service' }, named(tk.service)),
          h('div', { class: 'similar-text' }, tk.title || tk.description),
          h(
            'div',
            { class: 'similar-meta' },
            [tk.same_place ? s.similarSamePlace : s.similarDistance(tk.distance_m), dateTime(tk.created_at)].join(' · '),
          ),
          h('button', { type: 'button', class: 'button secondary follow', onclick: () => choice.follow(tk) }, s.followThis),
        ),
      ),
    ),
    h('button', { type: 'button', id: 'submit-anyway', class: 'button primary wide', onclick: () => choice.sendAnyway() }, s.submitAnyway),
  );
}
