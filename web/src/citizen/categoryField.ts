// The category of a request: the catalogue's services grouped by family, with "not sure,
// let the system decide" first (the classifier or an operator files it then), the chosen
// service's description as a hint, and its own questions (when it happens, how many…).

import { lang, t } from '../i18n';
import { bilingual } from '../tickets/labels';
import type { Catalogue, Service } from '../tickets/model';
import { h, replace } from '../ui/dom';
import type { Draft } from './draft';

function serviceLabel(s: Service): string {
  return lang() === 'en' ? s.name_en : s.name;
}

function attributeFields(svc: Service | undefined, draft: Draft): HTMLElement[] {
  if (!svc) return [];
  const s = t();
  return svc.attributes.map((a) => {
    const label = h(
      'span',
      { class: 'field-label' },
      bilingual(a.description),
      a.required ? h('span', { class: 'field-note required' }, s.required) : null,
    );
    const name = `attr-${a.code}`;
    const control = a.values.length
      ? h(
          'select',
          {
            name,
            'data-attribute': a.code,
            required: a.required,
            onchange: (e: Event) => (draft.attributes[a.code] = (e.target as HTMLSelectElement).value),
          },
          h('option', { value: '' }, s.choose),
          ...a.values.map((v) => h('option', { value: v.key, selected: draft.attributes[a.code] === v.key }, bilingual(v.name))),
        )
      : h('input', {
          name,
          'data-attribute': a.code,
          value: draft.attributes[a.code] ?? '',
          maxlength: 200,
          oninput: (e: Event) => (draft.attributes[a.code] = (e.target as HTMLInputElement).value),
        });
    return h('label', { class: 'field' }, label, control);
  });
}

export function categoryField(cat: Catalogue, draft: Draft): HTMLElement {
  const s = t();
  const hint = h('p', { class: 'hint' });
  const extra = h('div', { class: 'attribute-fields' });
  const families = cat.families.filter((f) => f.code !== '00');
  const select = h(
    'select',
    { id: 'service', name: 'service' },
    h('option', { value: '' }, s.categoryAuto),
    ...families.map((f) =>
      h(
        'optgroup',
        { label: lang() === 'en' ? f.name_en : f.name },
        ...cat.services
          .filter((x) => x.family === f.code)
          .map((x) => h('option', { value: x.code, selected: draft.service === x.code }, serviceLabel(x))),
      ),
    ),
  );
  const update = () => {
    const svc = cat.services.find((x) => x.code === draft.service);
    // The catalogue describes services in Chinese only; English readers get the name.
    hint.textContent = svc ? (lang() === 'en' ? svc.name_en : svc.description) : s.categoryHint;
    // Answers to another service's questions do not travel with this one.
    for (const k of Object.keys(draft.attributes)) {
      if (!svc?.attributes.some((a) => a.code === k)) delete draft.attributes[k];
    }
    replace(extra, ...attributeFields(svc, draft));
  };
  select.addEventListener('change', () => {
    draft.service = select.value;
    update();
  });
  update();
  return h('div', { class: 'field-group' }, h('label', { class: 'field' }, h('span', { class: 'field-label' }, s.category), select), hint, extra);
}

/** The first required question left unanswered, by its name, or null. */
export function missingAttribute(cat: Catalogue, draft: Draft): string | null {
  const svc = cat.services.find((x) => x.code === draft.service);
  const a = svc?.attributes.find((x) => x.required && !draft.attributes[x.code]);
  return a ? bilingual(a.description) : null;
}
