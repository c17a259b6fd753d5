// The citizen's verdict on a resolved request: satisfied, basically satisfied or not
// (which sends it back to be handled again), with a comment.

import { politeMessage } from '../api';
import { t } from '../i18n';
import type { Verdict } from '../tickets/model';
import { h } from '../ui/dom';

const VERDICTS: Verdict[] = ['satisfied', 'basically-satisfied', 'unsatisfied'];
const MAX_NOTE = 2000;

export function evaluateForm(send: (verdict: Verdict, note: string) => Promise<void>): HTMLElement {
  const s = t();
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const button = h('button', { id: 'send-evaluation', type: 'submit', class: 'button primary wide', disabled: true }, s.evaluateSend);
  const form = h(
    'form',
    { class: 'card evaluate' },
    h('h3', {}, s.evaluateTitle),
    h('p', { class: 'hint' }, s.evaluateIntro),
    h(
      'div',
      { class: 'verdicts', role: 'radiogroup' },
      ...VERDICTS.map((v) =>
        h(
          'label',
          { class: `verdict-option v-${v}` },
          h('input', { type: 'radio', name: 'verdict', value: v, onchange: () => (button.disabled = false) }),
          h('span', {}, s.verdictNames[v]),
        ),
      ),
    ),
    h(
      'label',
      { class: 'field' },
      h('span', { class: 'field-label' }, s.evaluateComment),
      h('textarea', { name: 'note', rows: 3, maxlength: MAX_NOTE }),
    ),
    error,
    button,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const verdict = data.get('verdict') as Verdict | null;
    if (!verdict) return;
    button.disabled = true;
    error.hidden = true;
    try {
      await send(verdict, String(data.get('note') ?? '').trim());
    } catch (err) {
      error.textContent = politeMessage(err);
      error.hidden = false;
      button.disabled = false;
    }
  });
  return form;
}
