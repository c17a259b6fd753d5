// The drill-down panel: the current area's headline figures, its children as a list to
// drill into, and a breadcrumb back up (区 › 街道 › 社区 › 网格).

import { isAbort, politeMessage } from '../api';
import { fetchArea, type Area, type Counts, type Level } from '../areas';
import { formatNumber, onLanguageChange, t } from '../i18n';
import { shortName } from '../map/labels';
import { byId, h, replace } from './dom';

export interface AreaHandlers {
  /** The current area changed (fit the map to it when `fit`, highlight it). */
  onArea(area: Area, fit: boolean): void;
}

/** Grid codes are prefixes: the district has 6 digits, a street 9, a community 12, a grid 14. */
const PREFIX_LENGTHS = [6, 9, 12, 14];

let handlers: AreaHandlers;
let area: Area | null = null;
let failure: string | null = null;
let inflight: AbortController | null = null;
/** The area last asked for, so a failed load can be retried. */
let wanted: string | undefined;
const names = new Map<string, string>();

export function mountAreaPanel(h_: AreaHandlers): void {
  handlers = h_;
  render();
  onLanguageChange(render);
}

export function currentArea(): Area | null {
  return area;
}

/** Drills to the area with `code` (the district when omitted). */
export async function goToArea(code?: string, opts: { fit?: boolean; quiet?: boolean } = {}): Promise<Area | null> {
  inflight?.abort();
  const ctl = new AbortController();
  inflight = ctl;
  wanted = code;
  try {
    const next = await fetchArea(code, ctl.signal);
    remember(next);
    await nameAncestors(next.code);
    area = next;
    failure = null;
    render();
    handlers.onArea(next, opts.fit ?? true);
    return next;
  } catch (e) {
    if (isAbort(e)) return null;
    failure = politeMessage(e);
    render();
    if (!opts.quiet) throw e;
    return null;
  } finally {
    if (inflight === ctl) inflight = null;
  }
}

/** Reloads the current area's figures (after live changes) without moving the map. */
export async function refreshArea(): Promise<void> {
  if (!area || inflight) return;
  try {
    const next = await fetchArea(area.code);
    if (area && next.code === area.code) {
      area = next;
      remember(next);
      render();
    }
  } catch {
    // The figures stay as they were; the next change tries again.
  }
}

function remember(a: Area): void {
  names.set(a.code, a.name);
  if (a.parent) names.set(a.parent.code, a.parent.name);
  for (const c of a.children) names.set(c.code, c.name);
}

/** Fetches the names of ancestors the breadcrumb has not met yet (a jump straight to a grid). */
async function nameAncestors(code: string): Promise<void> {
  const missing = PREFIX_LENGTHS.filter((n) => n < code.length)
    .map((n) => code.slice(0, n))
    .filter((c) => !names.has(c));
  await Promise.all(
    missing.map(async (c) => {
      try {
        remember(await fetchArea(c));
      } catch {
        // Out of the reader's scope, perhaps: the crumb shows the code instead.
      }
    }),
  );
}

function levelName(level: Level): string {
  const s = t();
  return { district: s.levelDistrict, street: s.levelStreet, community: s.levelCommunity, grid: s.levelGrid }[level];
}

function crumbs(a: Area): HTMLElement {
  const codes = PREFIX_LENGTHS.filter((n) => n < a.code.length).map((n) => a.code.slice(0, n));
  const items: Node[] = [];
  for (const c of codes) {
    items.push(
      h('button', { class: 'crumb', type: 'button', 'data-code': c, onclick: () => void goToArea(c, { quiet: true }) }, names.get(c) ?? c),
      h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
    );
  }
  items.push(h('span', { class: 'crumb current', 'aria-current': 'page' }, a.name));
  return h('nav', { class: 'crumbs', 'aria-label': t().area }, ...items);
}

function figure(label: string, value: number | null, key: string): HTMLElement {
  return h(
    'div',
    { class: 'figure', 'data-count': key },
    h('div', { class: 'figure-value' }, value === null ? h('span', { class: 'restricted' }, t().hidden) : formatNumber(value)),
    h('div', { class: 'figure-label' }, label),
  );
}

function figures(c: Counts): HTMLElement {
  const s = t();
  return h(
    'div',
    { class: 'figures' },
    figure(s.countBuildings, c.buildings, 'buildings'),
    figure(s.countPeople, c.people, 'people'),
    figure(s.countComponents, c.components, 'components'),
    figure(s.countDevices, c.devices, 'devices'),
    figure(s.countCameras, c.cameras, 'cameras'),
    figure(s.countPipes, c.pipes, 'pipes'),
  );
}

function children(a: Area): HTMLElement {
  const s = t();
  if (!a.children.length) return h('p', { class: 'muted' }, s.noChildren);
  const max = Math.max(1, ...a.children.map((c) => c.counts.buildings));
  const level = a.children[0].level;
  return h(
    'section',
    { class: 'children' },
    h('h3', { class: 'section-title' }, `${s.children[level] ?? levelName(level)} · ${a.children.length}`),
    h(
      'ol',
      { class: 'child-list' },
      ...a.children.map((c) =>
        h(
          'li',
          {},
          h(
            'button',
            { class: 'child', type: 'button', 'data-code': c.code, onclick: () => void goToArea(c.code, { quiet: true }) },
            h('span', { class: 'child-name', title: c.name }, shortName(c.name, a.name)),
            h('span', { class: 'child-bar', style: `--share:${(c.counts.buildings / max).toFixed(3)}` }),
            h('span', { class: 'child-figure', title: s.countBuildings }, formatNumber(c.counts.buildings)),
          ),
        ),
      ),
    ),
  );
}

function render(): void {
  const host = byId('area-panel');
  const s = t();
  if (!area) {
    replace(
      host,
      h('p', { class: failure ? 'notice' : 'muted' }, failure ?? s.loading),
      failure ? h('button', { class: 'button secondary', type: 'button', onclick: () => void goToArea(wanted, { quiet: true }) }, s.retry) : null,
    );
    return;
  }
  const a = area;
  replace(
    host,
    crumbs(a),
    h(
      'header',
      { class: 'area-head' },
      h('span', { class: `level-tag level-${a.level}` }, levelName(a.level)),
      h('h2', { class: 'area-name' }, a.name),
      h('span', { class: 'area-code' }, a.code),
    ),
    failure ? h('p', { class: 'notice' }, failure) : null,
    figures(a.counts),
    h(
      'div',
      { class: 'area-actions' },
      a.parent
        ? h('button', { class: 'button secondary', type: 'button', onclick: () => void goToArea(a.parent!.code, { quiet: true }) }, `↑ ${s.backUp}`)
        : null,
      h('button', { class: 'button secondary', type: 'button', onclick: () => handlers.onArea(a, true) }, s.fitArea),
    ),
    children(a),
  );
}
