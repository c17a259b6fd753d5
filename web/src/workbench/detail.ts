// One ticket in the workbench: what was asked and by whom (masked to the reader), the
// deadlines counting down, the actions its status and the reader allow, where it lies in
// the twin, and its history with the audit proof of each step. It follows live changes:
// another person's step redraws it; proofs still being sealed are asked for again.

import { isAbort, politeMessage } from '../api';
import { t } from '../i18n';
import { session } from '../session';
import { mayHandle, mayOperate, mayReadTicket } from '../tickets/access';
import { getHistory, getTicket } from '../tickets/api';
import { statusChip, ticketBadges } from '../tickets/chips';
import { named, verdictName } from '../tickets/labels';
import type { Catalogue, History, Ticket } from '../tickets/model';
import { dateTime } from '../tickets/time';
import { renderTimeline, proofsPending } from '../tickets/timeline';
import { renderTimers } from '../tickets/timers';
import { h, replace } from '../ui/dom';
import { notify } from '../ui/toast';
import { actionPanel } from './actions';
import { allowedActions } from './allowed';
import { twinContext } from './context';
import { sensorSeries } from './sensorSeries';
import { unitName } from './units';

const PROOF_RETRY_MS = 6000;

/** A request without a title is named by the start of what it says. */
function clip(text: string, max = 40): string {
  const line = text.split('\n')[0].trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function kv(label: string, value: string | Node | null | undefined): HTMLElement | null {
  if (value === null || value === undefined || value === '') return null;
  return h('div', { class: 'kv' }, h('span', { class: 'kv-k' }, label), h('span', { class: 'kv-v' }, value));
}

export interface Detail {
  /** Opens a ticket by number (null: nothing selected). */
  show(number: string | null): Promise<void>;
  /** A live event about ticket `id`: redraw it if it is the one shown. */
  changed(id: number): void;
  current(): Ticket | null;
}

export function mountDetail(host: HTMLElement, cat: Catalogue, onActed: (tk: Ticket) => void): Detail {
  let shown: Ticket | null = null;
  let number: string | null = null;
  let inflight: AbortController | null = null;
  let timelineHost: HTMLElement | null = null;
  let proofTimer = 0;
  // An action of this page under way: its own live event is answered by the action's result.
  let acting = false;
  // The twin context (with its map) is kept while the same ticket is redrawn after each
  // step: a map is costly to make, and the place does not move.
  let context: { number: string; el: HTMLElement; ctl: AbortController } | null = null;
  const contextFor = (tk: Ticket): HTMLElement => {
    if (context?.number === tk.number) return context.el;
    context?.ctl.abort();
    const ctl = new AbortController();
    context = { number: tk.number, el: twinContext(tk, ctl.signal), ctl };
    return context.el;
  };
  // A sensor's readings around its alarm (tickets from the `iot-sensor` channel), kept
  // the same way: the chart is drawn once per ticket, not after every step.
  let readings: { number: string; el: HTMLElement | null; ctl: AbortController } | null = null;
  const readingsFor = (tk: Ticket): HTMLElement | null => {
    if (readings?.number === tk.number) return readings.el;
    readings?.ctl.abort();
    const ctl = new AbortController();
    readings = { number: tk.number, el: sensorSeries(tk, ctl.signal), ctl };
    return readings.el;
  };

  const drawTimeline = (history: History) => {
    if (!timelineHost) return;
    replace(timelineHost, renderTimeline(history, { unitName }));
    clearTimeout(proofTimer);
    // Steps newer than the last signed checkpoint are sealed within seconds: ask again.
    if (proofsPending(history)) {
      const n = history.number;
      proofTimer = window.setTimeout(() => {
        if (number === n) getHistory(n).then(drawTimeline).catch(() => undefined);
      }, PROOF_RETRY_MS);
    }
  };

  const draw = (tk: Ticket, history: History) => {
    const s = t();
    const who = session();
    shown = tk;
    const service = cat.services.find((x) => x.code === tk.service.code);
    const specs = allowedActions(who, tk, service);
    timelineHost = h('div', { class: 'wb-section' });
    const contact = [tk.contact.name, tk.contact.phone].filter(Boolean).join(' · ');
    host.dataset.number = tk.number;
    host.dataset.status = tk.status;
    replace(
      host,
      h(
        'header',
        { class: 'detail-head' },
        h('div', { class: 'detail-marks' }, h('span', { class: 'ticket-number big' }, tk.number), statusChip(tk.status), ...ticketBadges(tk)),
        h('h2', { class: 'detail-title' }, tk.title || clip(tk.description) || s.ticketTitleless),
        h('div', { class: 'detail-service' }, `${named(tk.family)} › ${named(tk.service)}`, h('span', { class: 'muted' }, ` · ${s.categorySources[tk.category_source] ?? tk.category_source}`)),
      ),
      h(
        'div',
        { class: 'detail-grid' },
        h(
          'div',
          { class: 'detail-main' },
          h(
            'section',
            { class: 'wb-section' },
            h('p', { class: 'ticket-description' }, tk.description),
            tk.media.length
              ? h('div', { class: 'photo-thumbs' }, ...tk.media.map((m) => h('a', { class: 'photo-thumb', href: m.href, target: '_blank' }, h('img', { src: m.href, alt: '' }))))
              : null,
            kv(s.detailsChannel, named(tk.channel)),
            kv(s.submittedAt, dateTime(tk.created_at)),
            kv(s.detailsAddress, tk.address),
            kv(s.detailsContact, contact || null),
            kv(s.leadUnit, tk.lead_unit?.name ?? tk.lead_unit?.id ?? s.notYet),
            kv(s.detailsAssisting, tk.assisting.map((u) => u.name ?? u.id).join('、') || null),
            kv(s.detailsSupervisionDue, tk.supervision_due ? dateTime(tk.supervision_due) : null),
            kv(s.evaluated, tk.verdict ? verdictName(tk.verdict) : null),
            tk.returned || tk.reopened
              ? h('p', { class: 'hint' }, [tk.returned ? s.detailsReturned(tk.returned) : '', tk.reopened ? s.detailsReopened(tk.reopened) : ''].filter(Boolean).join(' · '))
              : null,
          ),
          readingsFor(tk),
          timelineHost,
        ),
        h(
          'div',
          { class: 'detail-side' },
          h('section', { class: 'wb-section' }, h('h3', { class: 'section-title' }, s.timers), renderTimers(tk)),
          specs.length
            ? actionPanel(tk, specs, cat, (updated) => {
                onActed(updated);
                // Returned to another unit: it has left this person's queue, and asking
                // for it again would only be refused.
                if (!mayReadTicket(session(), updated)) {
                  notify(t().leftQueue);
                  // Let go of it at once, before a live event about it asks for it.
                  void show(null);
                  location.hash = '';
                  return;
                }
                // Read again rather than drawn from the answer, which lists no photos.
                void show(updated.number);
              }, (on) => (acting = on))
            : null,
          // Said to those who handle tickets elsewhere; supervisors act by their own buttons.
          !mayHandle(who, tk) && !mayOperate(who) && tk.status !== 'closed' ? h('p', { class: 'hint' }, s.notYours) : null,
          contextFor(tk),
        ),
      ),
    );
    drawTimeline(history);
  };

  const show = async (n: string | null, known?: Ticket): Promise<void> => {
    inflight?.abort();
    clearTimeout(proofTimer);
    number = n;
    if (!n) {
      shown = null;
      context?.ctl.abort();
      context = null;
      readings?.ctl.abort();
      readings = null;
      delete host.dataset.number;
      delete host.dataset.status;
      replace(host, h('p', { class: 'empty-detail muted' }, t().noTicketSelected));
      return;
    }
    const ctl = new AbortController();
    inflight = ctl;
    if (!known && shown?.number !== n) replace(host, h('p', { class: 'muted pad' }, t().loading));
    try {
      const [tk, history] = await Promise.all([known ?? getTicket(n, ctl.signal), getHistory(n, ctl.signal)]);
      if (ctl.signal.aborted) return;
      draw(tk, history);
    } catch (e) {
      if (isAbort(e)) return;
      shown = null;
      replace(host, h('p', { class: 'notice' }, politeMessage(e)));
    }
  };

  return {
    show: (n) => show(n),
    changed(id) {
      if (!shown || shown.id !== id || !number || acting) return;
      // An action form being filled in stays until the ticket really changed.
      const n = number;
      const before = shown.version;
      getTicket(n)
        .then((tk) => {
          if (number !== n) return;
          if (tk.version !== before || !host.querySelector('.action-form')) void show(n, tk);
        })
        .catch(() => undefined);
    },
    current: () => shown,
  };
}
