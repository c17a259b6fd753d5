// Following a request (进度查询): by its number for the citizen who sent it (signed in),
// or by number and tracking token for anyone holding both. The page shows the status,
// what was asked, who handles it, and every step with its audit proof; a resolved
// request can be evaluated here. It asks again every few seconds while open, so the
// handler's steps and the proofs' seals show up without a reload.

import { ApiError, politeMessage } from '../api';
import { t } from '../i18n';
import { isCitizen } from '../tickets/access';
import { act, getHistory, getTicket, track, trackEvaluate, trackHistory } from '../tickets/api';
import { statusChip, ticketBadges } from '../tickets/chips';
import { named, verdictName } from '../tickets/labels';
import type { History, PublicTicket, Ticket, Verdict } from '../tickets/model';
import { dateTime } from '../tickets/time';
import { renderTimeline } from '../tickets/timeline';
import { session } from '../session';
import { h, replace } from '../ui/dom';
import { notify } from '../ui/toast';
import { evaluateForm } from './evaluate';
import { rememberToken, tokenOf } from './memory';

const POLL_MS = 5000;

export function trackFormView(number = '', message?: string): HTMLElement {
  const s = t();
  const form = h(
    'form',
    { id: 'track-form', class: 'card' },
    h('h2', {}, s.trackTitle),
    message ? h('p', { class: 'notice' }, message) : null,
    h(
      'label',
      { class: 'field' },
      h('span', { class: 'field-label' }, s.trackNumber),
      h('input', { id: 'track-number', name: 'number', value: number, placeholder: s.trackNumberPlaceholder, autocomplete: 'off', required: true }),
    ),
    h(
      'label',
      { class: 'field' },
      h('span', { class: 'field-label' }, s.trackToken),
      h('input', { id: 'track-token', name: 'token', value: tokenOf(number) ?? '', placeholder: s.trackTokenPlaceholder, autocomplete: 'off' }),
    ),
    h('button', { type: 'submit', class: 'button primary wide' }, s.trackGo),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const n = String(data.get('number') ?? '').trim().toUpperCase();
    const token = String(data.get('token') ?? '').trim();
    if (!n) return;
    if (token) rememberToken(n, token);
    location.hash = `#track/${encodeURIComponent(n)}`;
  });
  return form;
}

interface Loaded {
  ticket: PublicTicket | Ticket;
  history: History;
  evaluate(verdict: Verdict, note: string): Promise<unknown>;
}

/** The ticket as the citizen's account reads it, else by the token this phone holds, else null. */
async function load(number: string): Promise<Loaded | null> {
  if (isCitizen(session())) {
    try {
      const [ticket, history] = await Promise.all([getTicket(number), getHistory(number)]);
      return { ticket, history, evaluate: (verdict, note) => act(number, { action: 'evaluate', verdict, note: note || undefined }) };
    } catch (e) {
      // Not theirs (or sent from another account): the token may still open it.
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }
  const token = tokenOf(number);
  if (!token) return null;
  const [ticket, history] = await Promise.all([track(number, token), trackHistory(number, token)]);
  return { ticket, history, evaluate: (verdict, note) => trackEvaluate(number, token, verdict, note || undefined) };
}

function row(label: string, value: string | Node): HTMLElement {
  return h('div', { class: 'kv' }, h('span', { class: 'kv-k' }, label), h('span', { class: 'kv-v' }, value));
}

function ticketCard(tk: PublicTicket | Ticket): HTMLElement {
  const s = t();
  const media = 'media' in tk ? tk.media : [];
  return h(
    'section',
    { class: 'card ticket-card' },
    h('div', { class: 'ticket-card-head' }, h('span', { class: 'ticket-number big' }, tk.number), statusChip(tk.status), ...ticketBadges(tk)),
    h('div', { class: 'ticket-service' }, named(tk.service)),
    tk.title ? h('h2', { class: 'ticket-title' }, tk.title) : null,
    h('p', { class: 'ticket-description' }, tk.description),
    media.length ? h('div', { class: 'photo-thumbs' }, ...media.map((m) => h('a', { class: 'photo-thumb', href: m.href, target: '_blank' }, h('img', { src: m.href, alt: '' })))) : null,
    row(s.submittedAt, dateTime(tk.created_at)),
    row(s.leadUnit, tk.lead_unit?.name ?? tk.lead_unit?.id ?? s.notYet),
    tk.address ? row(s.detailsAddress, tk.address) : null,
    tk.verdict ? row(s.evaluated, h('span', { class: `verdict v-${tk.verdict}` }, verdictName(tk.verdict))) : null,
  );
}

/** The units a ticket names (lead and assisting), by id. */
function unitsOf(tk: PublicTicket | Ticket): Map<string, string> {
  const units = [tk.lead_unit, ...('assisting' in tk ? tk.assisting : [])];
  return new Map(units.flatMap((u) => (u?.name ? [[u.id, u.name] as [string, string]] : [])));
}

/** A fingerprint of what the page shows: it is drawn again only when this changes. */
function fingerprint(l: Loaded): string {
  return JSON.stringify([l.ticket.status, l.ticket.updated_at, l.ticket.verdict, l.history.steps.map((st) => [st.step, st.audit.status])]);
}

export function trackView(number: string): HTMLElement {
  const s = t();
  const host = h('div', { class: 'track', 'data-number': number }, h('p', { class: 'muted pad' }, s.loading));
  let shown = '';
  // Kept across redraws, so a verdict being written is not wiped by a refresh.
  let evaluation: HTMLElement | null = null;

  const draw = (l: Loaded) => {
    const fp = fingerprint(l);
    if (fp === shown) return;
    shown = fp;
    host.dataset.status = l.ticket.status;
    if (l.ticket.status === 'resolved' && !l.ticket.verdict) {
      evaluation ??= evaluateForm(async (verdict, note) => {
        await l.evaluate(verdict, note);
        notify(t().evaluateDone);
        evaluation = null;
        await refresh();
      });
    } else {
      evaluation = null;
    }
    replace(
      host,
      h('div', { class: 'view-head' }, h('h2', {}, s.trackTitle), h('button', { type: 'button', class: 'button ghost small', onclick: () => void refresh() }, s.refresh)),
      ticketCard(l.ticket),
      evaluation,
      // Citizens may not read the list of units: the ticket names the ones it involves.
      renderTimeline(l.history, { unitName: (id) => unitsOf(l.ticket).get(id) ?? null }),
    );
  };

  const refresh = async (): Promise<boolean> => {
    try {
      const l = await load(number);
      if (!l) {
        shown = '';
        replace(host, trackFormView(number, s.trackNeedToken));
        return false;
      }
      draw(l);
      return true;
    } catch (e) {
      // A hiccup while following a ticket already shown is not worth losing the page over.
      if (shown) return true;
      replace(host, trackFormView(number, politeMessage(e)));
      return false;
    }
  };

  void refresh().then((ok) => {
    if (!ok) return;
    const timer = window.setInterval(() => {
      // The view was left: stop asking.
      if (!host.isConnected) return clearInterval(timer);
      if (document.visibilityState === 'visible') void refresh();
    }, POLL_MS);
  });
  return host;
}
