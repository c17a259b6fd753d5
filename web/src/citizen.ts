// The citizens' H5 pages (民意速办 · 市民端), phone first: report a problem with a pin and
// photos, see one's requests, follow a request's steps with their audit proofs and judge
// how it was handled. Composes the views in `citizen/`; the frame is the twin's own.

import './styles/base.css';
import './styles/controls.css';
import './styles/tickets.css';
import './styles/citizen.css';

import { lang, onLanguageChange, setLang, t } from './i18n';
import { onSessionChange, restoreSession, session } from './session';
import { isCitizen } from './tickets/access';
import { loadCatalogue } from './tickets/api';
import type { Receipt } from './tickets/model';
import { mountAccount } from './ui/account';
import { byId, h, replace } from './ui/dom';
import { mountNav } from './ui/nav';
import { mountShell } from './ui/shell';
import { notifyError } from './ui/toast';
import { emptyDraft, type Draft } from './citizen/draft';
import { requestForm } from './citizen/form';
import { tokenOf } from './citizen/memory';
import { mineView } from './citizen/mine';
import { pickerMap } from './citizen/placeField';
import { receiptView } from './citizen/receipt';
import { parseRoute, type Route } from './citizen/router';
import { signInCard } from './citizen/signInCard';
import { renderTabs } from './citizen/tabs';
import { trackFormView, trackView } from './citizen/track';

const main = byId('citizen');
const tabs = byId('tabs');

let draft: Draft = emptyDraft();
let draftOwner: string | null = null;
// The form is built once and kept (with its map) while the citizen moves between tabs;
// a new language or a sent request builds it again from the draft.
let form: { el: HTMLElement; lang: string } | null = null;
let lastReceipt: Receipt | null = null;

function welcome(): HTMLElement {
  const s = t();
  return h('section', { class: 'welcome' }, h('h1', {}, s.citizenWelcome), h('p', {}, s.citizenIntro));
}

function signInFirst(): HTMLElement {
  const s = t();
  return h(
    'div',
    {},
    welcome(),
    signInCard(),
    h('p', { class: 'center hint' }, s.orTrack, ' ', h('a', { href: '#track' }, s.trackWithoutSignIn)),
  );
}

function staffElsewhere(): HTMLElement {
  return h('p', { class: 'notice' }, t().citizenOnly, ' ', h('a', { href: '/workbench.html' }, t().navWorkbench));
}

async function newView(): Promise<HTMLElement> {
  const who = session();
  if (!who) return signInFirst();
  if (!isCitizen(who)) return staffElsewhere();
  // Another citizen on this phone starts from a clean draft.
  if (draftOwner !== who.user.username) {
    draft = emptyDraft(/^1\d{10}$/.test(who.user.username) ? who.user.username : '');
    draftOwner = who.user.username;
    form = null;
  }
  if (form && form.lang === lang()) return form.el;
  const cat = await loadCatalogue();
  const el = h(
    'div',
    {},
    welcome(),
    requestForm(cat, draft, {
      sent(receipt) {
        lastReceipt = receipt;
        draft = emptyDraft(draft.contactPhone);
        form = null;
        location.hash = `#receipt/${encodeURIComponent(receipt.number)}`;
      },
      followed() {
        draft = emptyDraft(draft.contactPhone);
        form = null;
        location.hash = '#mine';
      },
    }),
  );
  form = { el, lang: lang() };
  return el;
}

async function view(route: Route): Promise<HTMLElement> {
  switch (route.view) {
    case 'new':
      return newView();
    case 'mine':
      if (!session()) return signInFirst();
      return isCitizen(session()) ? mineView() : staffElsewhere();
    case 'track':
      return route.number ? trackView(route.number) : trackFormView();
    case 'receipt':
      if (lastReceipt?.number === route.number) return receiptView(lastReceipt, tokenOf(route.number));
      // A receipt reloaded: this phone has no more than the token, the progress page the rest.
      return trackView(route.number);
  }
}

let rendering = 0;

async function render(): Promise<void> {
  const route = parseRoute(location.hash);
  const mine = ++rendering;
  renderTabs(tabs, route.view === 'receipt' ? 'new' : route.view);
  try {
    const el = await view(route);
    // A newer route won while this one loaded.
    if (mine !== rendering) return;
    replace(main, el);
    main.scrollTop = 0;
    document.body.dataset.view = route.view;
  } catch (e) {
    notifyError(e);
  }
}

async function boot(): Promise<void> {
  mountShell(() => setLang(lang() === 'zh' ? 'en' : 'zh'), { subtitle: () => t().subtitleCitizen, title: () => t().titleCitizen });
  mountNav('citizen');
  mountAccount();
  window.__citymirror = { ready: false, session, pickerMap, route: () => parseRoute(location.hash) };
  try {
    await restoreSession();
  } catch (e) {
    notifyError(e);
  }
  await render();
  window.addEventListener('hashchange', () => void render());
  onSessionChange(() => void render());
  onLanguageChange(() => void render());
  window.__citymirror.ready = true;
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  notifyError(e);
  document.body.dataset.ready = 'error';
});
