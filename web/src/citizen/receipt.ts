// The receipt of a request just sent: its number and tracking token, large enough to
// read out or photograph, with copy buttons; where it went (the public view of the
// ticket names the lead unit), and the way to its progress.

import { politeMessage } from '../api';
import { t } from '../i18n';
import { track } from '../tickets/api';
import { statusChip } from '../tickets/chips';
import type { Receipt } from '../tickets/model';
import { h, replace } from '../ui/dom';

async function copy(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = t().copied;
  } catch {
    // No clipboard (an old browser, no permission): select the text to copy by hand.
    const el = button.previousElementSibling;
    if (el) window.getSelection()?.selectAllChildren(el);
  }
}

function codeLine(label: string, id: string, value: string): HTMLElement {
  const button = h('button', { type: 'button', class: 'button ghost small' }, t().copy);
  button.addEventListener('click', () => void copy(value, button));
  return h('div', { class: 'code-line' }, h('span', { class: 'code-label' }, label), h('span', { id, class: 'code-value' }, value), button);
}

export function receiptView(r: Receipt, token: string | null): HTMLElement {
  const s = t();
  const where = h('p', { class: 'receipt-where' }, r.status === 'triage' ? s.receiptTriage : s.loading);
  if (r.status !== 'triage' && token) {
    track(r.number, token)
      .then((tk) => replace(where, s.receiptRouted(tk.lead_unit?.name ?? tk.lead_unit?.id ?? s.notYet)))
      .catch((e) => replace(where, politeMessage(e)));
  } else if (r.status !== 'triage') {
    where.textContent = s.receiptRouted(r.lead_unit ?? s.notYet);
  }
  return h(
    'section',
    { class: 'card receipt', 'data-number': r.number },
    h('div', { class: 'receipt-check', 'aria-hidden': 'true' }, '✓'),
    h('h2', {}, s.receiptTitle),
    codeLine(s.receiptNumber, 'receipt-number', r.number),
    token ? codeLine(s.receiptToken, 'receipt-token', token) : null,
    h('p', { class: 'notice' }, s.receiptKeep),
    h('div', { class: 'receipt-status' }, h('span', { class: 'muted' }, s.receiptStatus), statusChip(r.status)),
    where,
    r.similar ? h('p', { class: 'hint' }, s.receiptSimilar(r.similar)) : null,
    h('a', { id: 'view-progress', class: 'button primary wide', href: `#track/${encodeURIComponent(r.number)}` }, s.viewProgress),
    h('a', { class: 'button ghost wide', href: '#new' }, s.newRequest),
  );
}
