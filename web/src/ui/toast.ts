// Polite notices in a corner: errors never blank the page, they say what happened and
// go away by themselves (or when dismissed). The same message is not stacked twice.

import { politeMessage } from '../api';
import { t } from '../i18n';
import { byId, h } from './dom';

type Kind = 'error' | 'info';

const shown = new Map<string, HTMLElement>();

export function notify(message: string, kind: Kind = 'info', timeoutMs = 6000): void {
  const host = byId('toasts');
  if (shown.has(message)) return;
  const close = () => {
    el.classList.add('leaving');
    shown.delete(message);
    setTimeout(() => el.remove(), 250);
  };
  const el = h(
    'div',
    { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', { class: 'toast-text' }, message),
    h('button', { class: 'toast-close', type: 'button', 'aria-label': t().dismiss, onclick: close }, '×'),
  );
  shown.set(message, el);
  host.append(el);
  if (timeoutMs > 0) setTimeout(close, timeoutMs);
}

/** Shows a failure politely; aborted requests (replaced by newer ones) say nothing. */
export function notifyError(e: unknown): void {
  if (e instanceof DOMException && e.name === 'AbortError') return;
  console.warn(e);
  notify(politeMessage(e), 'error');
}
