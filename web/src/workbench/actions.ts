// The action buttons of a ticket, and the small form some need before they are sent:
// a reason to return it, a note of what was done, a supervisor's instructions and
// deadline, or where to dispatch it. One action at a time; the ticket as the server
// stored it afterwards is handed back to be shown.

import { politeMessage } from '../api';
import { lang, t } from '../i18n';
import { act, type ActionBody } from '../tickets/api';
import type { Catalogue, Ticket } from '../tickets/model';
import { localInput } from '../tickets/time';
import { h, replace } from '../ui/dom';
import { notify } from '../ui/toast';
import type { ActionKind, ActionSpec } from './allowed';
import { dispatchUnits } from './units';

function label(kind: ActionKind): string {
  const s = t();
  const labels: Record<ActionKind, string> = {
    accept: s.actAccept,
    return: s.actReturn,
    contact: s.actContact,
    'on-site': s.actOnSite,
    resolve: s.actResolve,
    dispatch: s.actDispatch,
    supervise: s.actSupervise,
    comment: s.actComment,
    close: s.actClose,
  };
  return labels[kind];
}

function notePrompt(kind: ActionKind): string {
  const s = t();
  const prompts: Partial<Record<ActionKind, string>> = {
    return: s.reasonReturn,
    contact: s.noteContact,
    'on-site': s.noteOnSite,
    resolve: s.noteResolve,
    supervise: s.noteSupervise,
    comment: s.noteComment,
    close: s.noteClose,
  };
  return prompts[kind] ?? s.noteComment;
}

function serviceSelect(cat: Catalogue): HTMLSelectElement {
  const s = t();
  return h(
    'select',
    { name: 'service_code' },
    h('option', { value: '' }, s.choose),
    ...cat.families
      .filter((f) => f.code !== '00')
      .map((f) =>
        h(
          'optgroup',
          { label: lang() === 'en' ? f.name_en : f.name },
          ...cat.services.filter((x) => x.family === f.code).map((x) => h('option', { value: x.code }, `${x.code} ${lang() === 'en' ? x.name_en : x.name}`)),
        ),
      ),
  );
}

function unitSelect(): HTMLSelectElement {
  return h('select', { name: 'unit' }, h('option', { value: '' }, t().choose), ...dispatchUnits().map((u) => h('option', { value: u.id }, u.name)));
}

/** The body an action's form describes, or an error message. */
function bodyOf(spec: ActionSpec, form: HTMLFormElement): ActionBody | string {
  const s = t();
  const data = new FormData(form);
  const note = String(data.get('note') ?? '').trim();
  const body: ActionBody = { action: spec.kind };
  if (note) body.note = note;
  if (spec.needs === 'required-note' && !note) return s.noteMissing;
  if (spec.needs === 'supervision') {
    const due = String(data.get('due') ?? '');
    if (due) body.due = new Date(due).toISOString();
  }
  if (spec.needs === 'dispatch') {
    const service = String(data.get('service_code') ?? '');
    const unit = String(data.get('unit') ?? '');
    if (!service && !unit) return s.dispatchPick;
    if (service) body.service_code = service;
    if (unit) body.unit = unit;
  }
  return body;
}

function actionForm(spec: ActionSpec, cat: Catalogue, send: (b: ActionBody) => Promise<void>, cancel: () => void): HTMLFormElement {
  const s = t();
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button primary' }, `${s.confirm}: ${label(spec.kind)}`);
  const fields: HTMLElement[] = [];
  if (spec.needs === 'dispatch') {
    fields.push(h('label', {}, h('span', {}, s.dispatchService), serviceSelect(cat)), h('label', {}, h('span', {}, s.dispatchUnit), unitSelect()));
  }
  if (spec.needs === 'supervision') {
    const due = h('input', { type: 'datetime-local', name: 'due', min: localInput(new Date()) });
    fields.push(h('label', {}, h('span', {}, s.superviseDue), due));
  }
  fields.push(
    h(
      'label',
      {},
      h('span', {}, notePrompt(spec.kind)),
      h('textarea', { name: 'note', rows: 3, maxlength: 2000, required: spec.needs === 'required-note' }),
    ),
  );
  const form = h(
    'form',
    // novalidate: the form says what is missing in the page's words, not the browser's.
    { class: 'action-form', 'data-action': spec.kind, novalidate: true },
    ...fields,
    error,
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button ghost', onclick: cancel }, s.cancel), submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = bodyOf(spec, form);
    if (typeof body === 'string') {
      error.textContent = body;
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    error.hidden = true;
    try {
      await send(body);
    } catch (err) {
      error.textContent = politeMessage(err);
      error.hidden = false;
      submit.disabled = false;
    }
  });
  return form;
}

/**
 * The buttons of `specs` for `tk`; `done` gets the ticket as stored after an action, and
 * `busy` hears when one is under way (its own live event may arrive before the answer).
 */
export function actionPanel(
  tk: Ticket,
  specs: ActionSpec[],
  cat: Catalogue,
  done: (updated: Ticket) => void,
  busy: (on: boolean) => void = () => undefined,
): HTMLElement {
  const s = t();
  const formHost = h('div', { class: 'action-form-host' });
  const buttons = h('div', { class: 'action-buttons' });
  const setBusy = (on: boolean) => {
    buttons.querySelectorAll('button').forEach((b) => (b.disabled = on));
    busy(on);
  };
  const send = async (body: ActionBody) => {
    setBusy(true);
    try {
      const updated = await act(tk.number, body);
      notify(s.actionDone(label(body.action as ActionKind)));
      done(updated);
    } finally {
      setBusy(false);
    }
  };
  for (const spec of specs) {
    const button = h(
      'button',
      { type: 'button', class: spec.primary ? 'button primary' : spec.kind === 'close' || spec.kind === 'return' ? 'button danger' : 'button secondary', 'data-action': spec.kind },
      label(spec.kind),
    );
    button.addEventListener('click', () => {
      if (spec.needs === 'nothing') {
        send({ action: spec.kind }).catch((e) => notify(politeMessage(e), 'error'));
        return;
      }
      replace(formHost, actionForm(spec, cat, send, () => replace(formHost)));
      formHost.querySelector<HTMLElement>('textarea, select')?.focus();
    });
    buttons.append(button);
  }
  return h('section', { class: 'wb-section actions' }, h('h3', { class: 'section-title' }, s.actions), buttons, formHost);
}
