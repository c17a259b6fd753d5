// Where the problem is: a pin on a small map of the twin (tap to place it, drag to move
// it), or an address, building or place name found by the twin's search. Wherever the
// pin lands, the page says which street, community and grid that is (`/api/v1/locate`),
// so the citizen sees at once that the request will reach the right people.

import { isAbort, request } from '../api';
import { t } from '../i18n';
import { locate } from '../tickets/api';
import { pathText } from '../tickets/labels';
import { createMiniMap, type MiniMap } from '../tickets/miniMap';
import { h, replace } from '../ui/dom';
import type { SearchResult } from '../ui/search';
import type { Draft } from './draft';

/** The district as the picker opens on it before anything is chosen. */
const DISTRICT_VIEW = { center: [114.055, 22.541] as [number, number], zoom: 12.4 };

let current: MiniMap | null = null;

/** The picker's map, for the page's test hook. */
export function pickerMap(): MiniMap['map'] | null {
  return current?.map ?? null;
}

export function placeField(draft: Draft): HTMLElement {
  const s = t();
  const path = h('p', { class: 'place-path', 'aria-live': 'polite' });
  const mapBox = h('div', { id: 'picker-map', class: 'picker-map' });
  const input = h('input', {
    id: 'address',
    type: 'search',
    autocomplete: 'off',
    placeholder: s.addressPlaceholder,
    value: draft.address,
    'aria-label': s.addressPlaceholder,
  });
  const results = h('ul', { class: 'address-results', role: 'listbox', hidden: true });
  let mini: MiniMap | null = null;
  let creating = false;
  let locating: AbortController | null = null;
  let searching: AbortController | null = null;
  let timer = 0;

  const showPath = () => {
    const l = draft.located;
    path.dataset.street = l && l !== 'outside' ? (l.street?.code ?? '') : '';
    path.classList.toggle('bad', l === 'outside');
    path.classList.toggle('found', !!l && l !== 'outside');
    if (!draft.place) path.textContent = s.placeHint;
    else if (l === 'outside') path.textContent = s.outsideDistrict;
    else if (l) path.textContent = pathText(l);
    else path.textContent = s.loading;
  };

  const setPlace = async (at: [number, number], fly: boolean) => {
    draft.place = at;
    draft.located = null;
    mini?.place(at, fly);
    showPath();
    locating?.abort();
    const ctl = new AbortController();
    locating = ctl;
    try {
      draft.located = await locate(at[0], at[1], ctl.signal);
    } catch (e) {
      if (isAbort(e)) return;
      draft.located = 'outside';
    }
    if (locating === ctl) showPath();
  };

  const pick = (r: SearchResult) => {
    results.hidden = true;
    input.value = r.name ?? r.address ?? input.value;
    draft.address = input.value;
    void setPlace(r.center, true);
  };

  const search = async (q: string) => {
    searching?.abort();
    const ctl = new AbortController();
    searching = ctl;
    try {
      const res = await request<{ results: SearchResult[] }>(`/api/v1/search?q=${encodeURIComponent(q)}&limit=8`, { signal: ctl.signal });
      if (input.value.trim() !== q) return;
      replace(
        results,
        ...(res.results.length
          ? res.results.map((r) =>
              h(
                'li',
                {
                  class: 'address-result',
                  role: 'option',
                  // pointerdown, not click: it comes before the input's blur hides the list.
                  onpointerdown: (e: Event) => {
                    e.preventDefault();
                    pick(r);
                  },
                },
                h('span', { class: 'result-name' }, r.name ?? r.address ?? ''),
                h('span', { class: 'result-sub' }, [t().layerTitles[r.layer] ?? r.layer, r.address].filter(Boolean).join(' · ')),
              ),
            )
          : [h('li', { class: 'search-empty' }, s.searchNoResults)]),
      );
      results.hidden = false;
    } catch (e) {
      if (!isAbort(e)) results.hidden = true;
    }
  };

  input.addEventListener('input', () => {
    draft.address = input.value;
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      results.hidden = true;
      return;
    }
    timer = window.setTimeout(() => void search(q), 250);
  });
  input.addEventListener('blur', () => setTimeout(() => (results.hidden = true), 150));

  const here = h(
    'button',
    {
      type: 'button',
      class: 'button secondary',
      onclick: () =>
        navigator.geolocation?.getCurrentPosition(
          (p) => void setPlace([p.coords.longitude, p.coords.latitude], true),
          () => (path.textContent = s.noPlace),
          { enableHighAccuracy: true, timeout: 10000 },
        ),
    },
    '◎ ',
    s.myLocation,
  );

  // The map is made once the box is on the page and has a size; it follows the box's
  // size afterwards (the phone turned, the keyboard shown).
  const observer = new ResizeObserver(() => {
    if (mini) {
      mini.map.resize();
      return;
    }
    if (creating || !mapBox.isConnected || !mapBox.clientWidth) return;
    creating = true;
    const start = draft.place ? { center: draft.place, zoom: 16 } : DISTRICT_VIEW;
    void createMiniMap(mapBox, { ...start, pinned: !!draft.place, pick: (at) => void setPlace(at, false) }).then((m) => {
      mini = m;
      current = m;
      if (!m) mapBox.replaceWith(h('p', { class: 'notice' }, s.errorWebgl));
    });
  });
  observer.observe(mapBox);
  showPath();

  return h(
    'div',
    { class: 'field-group' },
    h('span', { class: 'field-label' }, s.place),
    h('div', { class: 'address-box' }, input, results),
    mapBox,
    h('div', { class: 'place-row' }, path, here),
  );
}
