// Search by name and address (`GET /api/v1/search`): results drop down under the box as you
// type; picking one (click, or arrows and Enter) hands it to the page to fly there.

import { isAbort, politeMessage, request } from '../api';
import { onLanguageChange, t } from '../i18n';
import { byId, h, replace } from './dom';

export interface SearchResult {
  layer: string;
  id: number;
  name: string | null;
  address: string | null;
  grid_code: string | null;
  center: [number, number];
  bbox: [number, number, number, number];
}

interface SearchResponse {
  query: string;
  results: SearchResult[];
}

export function mountSearch(onPick: (r: SearchResult) => void): void {
  const host = byId('search');
  const input = h('input', {
    type: 'search',
    id: 'search-input',
    autocomplete: 'off',
    spellcheck: false,
    role: 'combobox',
    'aria-expanded': 'false',
    'aria-controls': 'search-results',
  });
  const list = h('ul', { id: 'search-results', class: 'search-results', role: 'listbox', hidden: true });
  host.append(h('span', { class: 'search-icon', 'aria-hidden': 'true' }, '⌕'), input, list);

  let results: SearchResult[] = [];
  let active = -1;
  let timer = 0;
  let inflight: AbortController | null = null;

  const label = () => {
    input.placeholder = t().searchPlaceholder;
    input.setAttribute('aria-label', t().searchPlaceholder);
  };
  label();
  onLanguageChange(label);

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    active = -1;
  };
  const show = (...items: Node[]) => {
    replace(list, ...items);
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const pick = (r: SearchResult) => {
    close();
    input.value = r.name ?? r.address ?? input.value;
    input.blur();
    onPick(r);
  };
  const renderResults = () => {
    if (!results.length) {
      show(h('li', { class: 'search-empty' }, t().searchNoResults));
      return;
    }
    show(
      ...results.map((r, i) =>
        h(
          'li',
          {
            class: i === active ? 'search-result active' : 'search-result',
            role: 'option',
            'aria-selected': i === active ? 'true' : 'false',
            // mousedown, not click: it fires before the input loses focus and closes the list.
            onmousedown: (e: Event) => {
              e.preventDefault();
              pick(r);
            },
          },
          h('span', { class: 'result-name' }, r.name ?? r.address ?? `${t().layerTitles[r.layer] ?? r.layer} ${r.id}`),
          h('span', { class: 'result-sub' }, [t().layerTitles[r.layer] ?? r.layer, r.address].filter(Boolean).join(' · ')),
        ),
      ),
    );
  };

  const run = async (q: string) => {
    inflight?.abort();
    const ctl = new AbortController();
    inflight = ctl;
    try {
      const res = await request<SearchResponse>(`/api/v1/search?q=${encodeURIComponent(q)}&limit=20`, { signal: ctl.signal });
      if (input.value.trim() !== q) return;
      results = res.results;
      active = results.length ? 0 : -1;
      renderResults();
    } catch (e) {
      if (isAbort(e)) return;
      show(h('li', { class: 'search-empty notice' }, politeMessage(e)));
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      inflight?.abort();
      close();
      return;
    }
    show(h('li', { class: 'search-empty' }, t().searching));
    timer = window.setTimeout(() => void run(q), 220);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      close();
      return;
    }
    if (list.hidden || !results.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : results.length - 1)) % results.length;
      renderResults();
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      pick(results[active]);
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 120));
  input.addEventListener('focus', () => {
    if (input.value.trim() && results.length) renderResults();
  });
}
