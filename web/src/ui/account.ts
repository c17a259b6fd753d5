// Sign-in and the account badge: who is signed in, with the role name; a dialog to sign in
// (the demo logins are named in it), and sign-out.

import { politeMessage } from '../api';
import { onLanguageChange, t } from '../i18n';
import { onSessionChange, session, signIn, signOut, type SessionInfo } from '../session';
import { byId, h, replace } from './dom';
import { notifyError } from './toast';

export function mountAccount(): void {
  const host = byId('account');
  const render = () => {
    const s = t();
    const who = session();
    if (!who) {
      replace(host, h('button', { class: 'button primary', type: 'button', id: 'sign-in', onclick: openDialog }, s.signIn));
      return;
    }
    replace(
      host,
      h(
        'div',
        { class: 'who', title: describe(who) },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, (who.user.display_name || who.user.username).slice(0, 1)),
        h(
          'span',
          { class: 'who-text' },
          h('span', { class: 'who-name' }, who.user.display_name || who.user.username),
          h('span', { class: 'who-role' }, roleName(who)),
        ),
      ),
      h(
        'button',
        {
          class: 'button ghost',
          type: 'button',
          id: 'sign-out',
          onclick: () => signOut().catch(notifyError),
        },
        s.signOut,
      ),
    );
  };
  render();
  onSessionChange(render);
  onLanguageChange(() => {
    render();
    renderDialog();
  });
  renderDialog();
}

/** The role in the page's language (the server names it in Chinese). */
function roleName(who: SessionInfo): string {
  return t().roleNames[who.user.role] ?? who.user.role_name;
}

function describe(who: SessionInfo): string {
  const s = t();
  return [
    `${s.signedInAs}: ${who.user.display_name} (${who.user.username})`,
    roleName(who),
    who.unit?.name,
    `${s.jurisdiction}: ${who.jurisdiction ?? s.wholeDistrict}`,
  ]
    .filter(Boolean)
    .join('\n');
}

function dialog(): HTMLDialogElement {
  return byId<HTMLDialogElement>('login-dialog');
}

export function openDialog(): void {
  renderDialog();
  dialog().showModal();
  dialog().querySelector<HTMLInputElement>('input[name=username]')?.focus();
}

function renderDialog(): void {
  const s = t();
  const d = dialog();
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { class: 'button primary', type: 'submit' }, s.signIn);
  const form = h(
    'form',
    { method: 'dialog', class: 'login-form' },
    h('h2', {}, s.signInTitle),
    h('label', {}, h('span', {}, s.username), h('input', { name: 'username', autocomplete: 'username', required: true })),
    h(
      'label',
      {},
      h('span', {}, s.password),
      h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    ),
    error,
    h('p', { class: 'hint' }, s.demoHint),
    h(
      'div',
      { class: 'form-actions' },
      h('button', { class: 'button ghost', type: 'button', onclick: () => d.close() }, s.cancel),
      submit,
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    submit.disabled = true;
    submit.textContent = s.signingIn;
    error.hidden = true;
    try {
      await signIn(String(data.get('username') ?? '').trim(), String(data.get('password') ?? ''));
      d.close();
    } catch (err) {
      error.textContent = politeMessage(err);
      error.hidden = false;
    } finally {
      submit.disabled = false;
      submit.textContent = s.signIn;
    }
  });
  replace(d, form);
}
