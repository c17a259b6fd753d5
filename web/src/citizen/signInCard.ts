// Signing in on the phone: the citizen's mobile number and password, in the page itself
// rather than in a dialog (a dialog over a phone's keyboard is hard to use).

import { politeMessage } from '../api';
import { t } from '../i18n';
import { signIn } from '../session';
import { h } from '../ui/dom';

export function signInCard(): HTMLElement {
  const s = t();
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button primary wide' }, s.signIn);
  const form = h(
    'form',
    { id: 'citizen-sign-in', class: 'card sign-in-card' },
    h('h2', {}, s.signInCitizen),
    h(
      'label',
      { class: 'field' },
      h('span', { class: 'field-label' }, s.phoneNumber),
      h('input', { name: 'username', type: 'tel', inputmode: 'numeric', autocomplete: 'username', required: true }),
    ),
    h(
      'label',
      { class: 'field' },
      h('span', { class: 'field-label' }, s.password),
      h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    ),
    error,
    submit,
    h('p', { class: 'hint' }, s.citizenDemo),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    submit.disabled = true;
    submit.textContent = s.signingIn;
    error.hidden = true;
    try {
      // The page re-renders on the session change.
      await signIn(String(data.get('username') ?? '').trim(), String(data.get('password') ?? ''));
    } catch (err) {
      error.textContent = politeMessage(err);
      error.hidden = false;
      submit.disabled = false;
      submit.textContent = s.signIn;
    }
  });
  return form;
}
