// The request form (我要反映): category, title, description, place, photos, contact.
// Sending first asks for similar open requests nearby and offers them to follow; then
// the request goes in and the receipt (number and tracking token) is shown.

import { politeMessage } from '../api';
import { t } from '../i18n';
import { similarTickets, submitTicket, type NewTicket } from '../tickets/api';
import type { Catalogue, Receipt } from '../tickets/model';
import { h, replace } from '../ui/dom';
import { notify } from '../ui/toast';
import { categoryField, missingAttribute } from './categoryField';
import type { Draft } from './draft';
import { follow, rememberToken } from './memory';
import { photoField } from './photos';
import { placeField } from './placeField';
import { similarBox } from './similar';

export const MAX_DESCRIPTION = 4000;
const MAX_TITLE = 200;

export interface FormHandlers {
  /** The request was filed: show its receipt. */
  sent(receipt: Receipt): void;
  /** The citizen follows an existing request instead. */
  followed(): void;
}

function textInput(id: string, value: string, attrs: Record<string, string | number>, set: (v: string) => void): HTMLInputElement {
  return h('input', { id, name: id, value, ...attrs, oninput: (e: Event) => set((e.target as HTMLInputElement).value) });
}

export function requestForm(cat: Catalogue, draft: Draft, on: FormHandlers): HTMLElement {
  const s = t();
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const similarHost = h('div', { class: 'similar-host' });
  const submit = h('button', { id: 'submit-ticket', type: 'submit', class: 'button primary wide' }, s.submit);

  const count = h('span', { class: 'char-count' });
  const description = h('textarea', {
    id: 'description',
    name: 'description',
    rows: 5,
    maxlength: MAX_DESCRIPTION,
    placeholder: s.descriptionPlaceholder,
    required: true,
  });
  description.value = draft.description;
  const showCount = () => {
    count.textContent = s.charCount(description.value.length, MAX_DESCRIPTION);
    count.classList.toggle('near', description.value.length > MAX_DESCRIPTION * 0.9);
  };
  description.addEventListener('input', () => {
    draft.description = description.value;
    showCount();
  });
  showCount();

  const fail = (message: string) => {
    error.textContent = message;
    error.hidden = false;
    error.scrollIntoView({ block: 'center', behavior: 'smooth' });
  };

  const body = (): NewTicket => ({
    service_code: draft.service || undefined,
    title: draft.title.trim(),
    description: draft.description.trim(),
    lon: draft.place![0],
    lat: draft.place![1],
    address: draft.address.trim() || undefined,
    attributes: Object.keys(draft.attributes).length ? { ...draft.attributes } : undefined,
    photos: draft.photos.length ? draft.photos.slice() : undefined,
    contact_name: draft.contactName.trim() || undefined,
    contact_phone: draft.contactPhone.trim() || undefined,
  });

  const send = async () => {
    submit.disabled = true;
    submit.textContent = s.submitting;
    try {
      const receipt = await submitTicket(body());
      if (receipt.tracking_token) rememberToken(receipt.number, receipt.tracking_token);
      on.sent(receipt);
    } catch (e) {
      fail(politeMessage(e));
    } finally {
      submit.disabled = false;
      submit.textContent = s.submit;
    }
  };

  const form = h(
    'form',
    { class: 'request-form', novalidate: true },
    categoryField(cat, draft),
    h(
      'label',
      { class: 'field' },
      h('span', { class: 'field-label' }, s.titleLabel),
      textInput('title', draft.title, { maxlength: MAX_TITLE, placeholder: s.titlePlaceholder, autocomplete: 'off' }, (v) => (draft.title = v)),
    ),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, s.descriptionLabel, count), description),
    placeField(draft),
    photoField(draft.photos),
    h(
      'fieldset',
      { class: 'field-group contact' },
      h('legend', { class: 'field-label' }, s.contact, h('span', { class: 'field-note' }, s.contactHint)),
      h(
        'div',
        { class: 'field-row' },
        h(
          'label',
          { class: 'field' },
          h('span', { class: 'field-sub' }, s.contactName),
          textInput('contact-name', draft.contactName, { maxlength: 50, placeholder: s.contactNamePlaceholder, autocomplete: 'name' }, (v) => (draft.contactName = v)),
        ),
        h(
          'label',
          { class: 'field' },
          h('span', { class: 'field-sub' }, s.contactPhone),
          textInput('contact-phone', draft.contactPhone, { type: 'tel', maxlength: 20, inputmode: 'tel', autocomplete: 'tel' }, (v) => (draft.contactPhone = v)),
        ),
      ),
    ),
    error,
    similarHost,
    submit,
  );

  // A change after the similar requests were offered: they may no longer be similar.
  form.addEventListener('input', () => {
    if (!similarHost.childElementCount) return;
    replace(similarHost);
    submit.hidden = false;
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    replace(similarHost);
    if (!draft.description.trim()) return fail(s.descriptionMissing);
    const missing = missingAttribute(cat, draft);
    if (missing) return fail(s.attributeMissing(missing));
    if (!draft.place) return fail(s.noPlace);
    if (draft.located === 'outside') return fail(s.outsideDistrict);
    submit.disabled = true;
    submit.textContent = s.checkingSimilar;
    let found;
    try {
      found = (
        await similarTickets({
          lon: draft.place[0],
          lat: draft.place[1],
          text: `${draft.title} ${draft.description}`.trim(),
          service_code: draft.service || undefined,
        })
      ).similar;
    } catch (err) {
      submit.disabled = false;
      submit.textContent = s.submit;
      return fail(politeMessage(err));
    }
    submit.disabled = false;
    submit.textContent = s.submit;
    if (!found.length) return send();
    // The citizen decides: follow one of these, or send theirs after all.
    submit.hidden = true;
    replace(
      similarHost,
      similarBox(found, {
        follow(tk) {
          follow(tk);
          notify(t().followedNote);
          on.followed();
        },
        sendAnyway() {
          replace(similarHost);
          submit.hidden = false;
          void send();
        },
      }),
    );
    similarHost.scrollIntoView({ block: 'start', behavior: 'smooth' });
  });
  return form;
}
