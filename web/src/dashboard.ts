// The request loop's dashboard (民意速办 · 统计分析): the figures of `GET /api/v1/tickets/stats`
// over a chosen period, within the reader's area (the server narrows street and community
// staff to their own), as headline numbers, ECharts charts and the hot spots.

import './styles/base.css';
import './styles/controls.css';
import './styles/tickets.css';
import './styles/dashboard.css';

import { isAbort, politeMessage } from './api';
import { lang, onLanguageChange, setLang, t } from './i18n';
import { connectLive, throttlePerKey } from './live';
import { onSessionChange, restoreSession, session } from './session';
import { mayReadStats } from './tickets/access';
import { loadCatalogue, stats } from './tickets/api';
import type { Summary } from './tickets/model';
import { openDialog, mountAccount } from './ui/account';
import { byId, h, replace } from './ui/dom';
import { mountLiveIndicator, setLiveState } from './ui/liveIndicator';
import { mountNav } from './ui/nav';
import { mountShell } from './ui/shell';
import { notifyError } from './ui/toast';
import { channelChart, familyChart, handlingChart, matrixErrorChart, onTimeChart, satisfactionChart, streetChart } from './dashboard/charts';
import { draw, resizeAll, type ChartOption } from './dashboard/echarts';
import { figures } from './dashboard/figures';
import { hotspotList } from './dashboard/hotspots';
import { loadStreetNames } from './dashboard/names';

const main = byId('dashboard');
type Period = 'all' | 'year' | '90';
let period: Period = 'all';
let inflight: AbortController | null = null;
let chartEls: HTMLElement[] = [];
let summary: Summary | null = null;

function since(p: Period): string | undefined {
  if (p === 'all') return undefined;
  const d = new Date();
  d.setDate(d.getDate() - (p === 'year' ? 365 : 90));
  return d.toISOString();
}

function card(id: string, title: string, wide = false): { el: HTMLElement; body: HTMLElement } {
  const body = h('div', { class: 'chart', id: `chart-${id}` });
  return { el: h('section', { class: wide ? 'dash-card wide' : 'dash-card', 'data-chart': id }, h('h3', { class: 'section-title' }, title), body), body };
}

function periodPicker(): HTMLElement {
  const s = t();
  const options: Array<[Period, string]> = [
    ['all', s.dashAllTime],
    ['year', s.dashLastYear],
    ['90', s.dashLast90],
  ];
  return h(
    'div',
    { class: 'period', role: 'group', 'aria-label': s.dashPeriod },
    ...options.map(([p, label]) =>
      h(
        'button',
        {
          type: 'button',
          class: p === period ? 'button secondary current' : 'button ghost',
          'data-period': p,
          onclick: () => {
            period = p;
            void render();
          },
        },
        label,
      ),
    ),
  );
}

function gate(): HTMLElement {
  const s = t();
  const who = session();
  return h(
    'div',
    { class: 'card dash-gate' },
    h('p', {}, who ? s.dashForbidden : s.signInToSee),
    who ? null : h('button', { type: 'button', class: 'button primary', onclick: openDialog }, s.signIn),
  );
}

async function render(): Promise<void> {
  inflight?.abort();
  chartEls = [];
  if (!mayReadStats(session())) {
    replace(main, gate());
    return;
  }
  const ctl = new AbortController();
  inflight = ctl;
  const s = t();
  try {
    const [sum, cat, streets] = await Promise.all([stats({ from: since(period) }, ctl.signal), loadCatalogue(), loadStreetNames()]);
    if (ctl.signal.aborted) return;
    summary = sum;
    const who = session();
    const scope = who?.jurisdiction && who.jurisdiction.length > 6 ? (who.unit?.name ?? who.jurisdiction) : s.wholeDistrict;
    const charts: Array<[string, string, ChartOption, boolean]> = [
      ['handling', s.dashHandlingTrend, handlingChart(sum), true],
      ['channel', s.dashByChannel, channelChart(sum, cat), false],
      ['family', s.dashByFamily, familyChart(sum, cat), false],
      ['street', s.dashByStreet, streetChart(sum, streets), false],
      ['on-time', s.dashOnTime, onTimeChart(sum), false],
      ['satisfaction', s.dashSatisfactionTrend, satisfactionChart(sum), false],
      ['matrix', s.dashMatrixErrors, matrixErrorChart(sum, cat), false],
    ];
    const hot = card('hotspots', s.dashHotspots);
    hot.body.className = 'hot-body';
    const cards = charts.map(([id, title, , wide]) => card(id, title, wide));
    replace(
      main,
      h('div', { class: 'dash-head' }, h('h1', {}, s.subtitleDashboard), h('span', { class: 'muted' }, s.dashScope(scope)), periodPicker()),
      figures(sum),
      h('div', { class: 'dash-grid' }, ...cards.map((c) => c.el), hot.el),
      h('p', { class: 'hint dash-note' }, s.dashMissing),
    );
    charts.forEach(([, , option], i) => {
      const body = cards[i].body;
      if (!sum.tickets) {
        replace(body, h('p', { class: 'muted chart-empty' }, s.dashNoData));
        return;
      }
      draw(body, option);
      chartEls.push(body);
    });
    await hotspotList(hot.body, ctl.signal).catch((e) => {
      if (!isAbort(e)) replace(hot.body, h('p', { class: 'notice' }, politeMessage(e)));
    });
  } catch (e) {
    if (isAbort(e)) return;
    replace(main, h('p', { class: 'notice' }, politeMessage(e)));
  }
}

async function boot(): Promise<void> {
  mountShell(() => setLang(lang() === 'zh' ? 'en' : 'zh'), { subtitle: () => t().subtitleDashboard, title: () => t().titleDashboard });
  mountNav('dashboard');
  mountAccount();
  mountLiveIndicator();
  window.__citymirror = { ready: false, session, summary: () => summary, charts: () => chartEls.map((el) => el.id) };
  try {
    await restoreSession();
  } catch (e) {
    notifyError(e);
  }
  await render();
  onSessionChange(() => void render());
  onLanguageChange(() => void render());
  window.addEventListener('resize', () => resizeAll(chartEls));
  // New and changed tickets move the figures: redrawn at most every ten seconds.
  const redraw = throttlePerKey(() => void render(), 10000);
  connectLive({ onState: setLiveState, onTicket: () => redraw('stats'), onResync: () => redraw('stats') });
  window.__citymirror.ready = true;
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  notifyError(e);
  document.body.dataset.ready = 'error';
});
