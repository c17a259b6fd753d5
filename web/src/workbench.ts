// The operators' workbench (民意速办 · 处置工作台): the signed-in person's queue on the
// left, one ticket on the right with its deadlines, actions, place in the twin and
// proven history. `#FT…` in the address opens a ticket (the 3D map's popups link here).
// Ticket events on the live channel refresh the queue and the ticket shown.

import './styles/base.css';
import './styles/controls.css';
import './styles/tickets.css';
import './styles/workbench.css';

import { lang, onLanguageChange, setLang, t } from './i18n';
import { connectLive, throttlePerKey } from './live';
import { onSessionChange, restoreSession, session } from './session';
import { mayReadTickets } from './tickets/access';
import { loadCatalogue } from './tickets/api';
import { openDialog, mountAccount } from './ui/account';
import { byId, h, replace } from './ui/dom';
import { mountLiveIndicator, setLiveState } from './ui/liveIndicator';
import { mountNav } from './ui/nav';
import { mountShell } from './ui/shell';
import { notifyError } from './ui/toast';
import { detailMap } from './workbench/context';
import { mountDetail, type Detail } from './workbench/detail';
import { defaultFilters, mountQueue, type Queue } from './workbench/queue';
import { loadUnits } from './workbench/units';

const main = byId('workbench');
const filters = defaultFilters();
let queue: Queue | null = null;
let detail: Detail | null = null;

function selectedNumber(): string | null {
  const n = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
  return n || null;
}

function forbidden(): HTMLElement {
  const s = t();
  const who = session();
  return h(
    'div',
    { class: 'card wb-gate' },
    h('p', {}, who ? s.workbenchForbidden : s.signInToSee),
    who ? null : h('button', { type: 'button', class: 'button primary', onclick: openDialog }, s.signIn),
  );
}

async function render(): Promise<void> {
  queue = null;
  detail = null;
  if (!mayReadTickets(session())) {
    replace(main, forbidden());
    return;
  }
  const [cat] = await Promise.all([loadCatalogue(), loadUnits()]);
  const queueHost = h('aside', { id: 'queue', class: 'queue-pane' });
  const detailHost = h('section', { id: 'detail', class: 'detail-pane' });
  replace(main, queueHost, detailHost);
  queue = mountQueue(queueHost, cat, filters, (n) => {
    location.hash = `#${encodeURIComponent(n)}`;
  });
  detail = mountDetail(detailHost, cat, () => void queue?.reload());
  const n = selectedNumber();
  queue.select(n);
  await Promise.all([queue.reload(), detail.show(n)]);
}

async function boot(): Promise<void> {
  mountShell(() => setLang(lang() === 'zh' ? 'en' : 'zh'), { subtitle: () => t().subtitleWorkbench, title: () => t().titleWorkbench });
  mountNav('workbench');
  mountAccount();
  mountLiveIndicator();
  window.__citymirror = {
    ready: false,
    session,
    detailMap,
    queue: () => queue?.numbers() ?? [],
    shown: () => detail?.current()?.number ?? null,
  };
  try {
    await restoreSession();
  } catch (e) {
    notifyError(e);
  }
  await render();
  window.addEventListener('hashchange', () => {
    const n = selectedNumber();
    queue?.select(n);
    void detail?.show(n);
  });
  onSessionChange(() => void render().catch(notifyError));
  onLanguageChange(() => void render().catch(notifyError));

  // Many events at once (the timer sweep, a batch) become one reload of the queue.
  const reloadQueue = throttlePerKey(() => void queue?.reload(), 1500);
  connectLive({
    onState: setLiveState,
    onResync() {
      reloadQueue('queue');
      const tk = detail?.current();
      if (tk) detail?.changed(tk.id);
    },
    onTicket(e) {
      reloadQueue('queue');
      detail?.changed(e.id);
    },
  });
  window.__citymirror.ready = true;
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  notifyError(e);
  document.body.dataset.ready = 'error';
});
