// A ticket's history as a timeline: each step with when, who and what was noted, and
// its audit proof. The server gives every step its audit entry and, once a signed
// checkpoint covers it, the inclusion proof; the badge says which of the two a step
// has, so a citizen sees that what they read is what was recorded.

import { t } from '../i18n';
import { h } from '../ui/dom';
import { stepName } from './labels';
import type { History, Step } from './model';
import { dateTime } from './time';

function proofBadge(step: Step): HTMLElement {
  const s = t();
  const a = step.audit;
  if (a.status === 'covered') {
    return h('span', { class: 'proof covered', title: s.proofCoveredTitle(a.index ?? 0) }, `✓ ${s.proofCovered}`);
  }
  if (a.status === 'pending') return h('span', { class: 'proof pending', title: s.proofPendingTitle }, `◷ ${s.proofPending}`);
  return h('span', { class: 'proof unaudited', title: s.proofUnauditedTitle }, s.proofUnaudited);
}

/** Who took the step: the role, and the unit when one acted (by name when known). */
function who(step: Step, unitName?: (id: string) => string | null): string {
  const s = t();
  const role = s.roleOfStep[step.role] ?? s.roleNames[step.role] ?? step.role;
  if (!step.unit) return role;
  return `${role} · ${unitName?.(step.unit) ?? step.unit}`;
}

export function renderTimeline(history: History, opts: { unitName?: (id: string) => string | null } = {}): HTMLElement {
  const s = t();
  const items = history.steps.map((step) => {
    const note = step.note_text ?? step.note;
    return h(
      'li',
      { class: `step k-${step.kind}`, 'data-kind': step.kind, 'data-proof': step.audit.status },
      h('span', { class: 'step-dot', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'step-body' },
        h('div', { class: 'step-head' }, h('span', { class: 'step-name' }, stepName(step.kind, step.label)), proofBadge(step)),
        h('div', { class: 'step-meta' }, `${dateTime(step.at)} · ${who(step, opts.unitName)}`),
        note ? h('div', { class: 'step-note' }, note) : null,
      ),
    );
  });
  return h(
    'section',
    { class: 'timeline-box' },
    h('h3', { class: 'section-title' }, s.timeline),
    h('ol', { class: 'timeline' }, ...items),
    h('p', { class: 'hint' }, s.timelineNote, ' ', h('a', { href: history.key, target: '_blank', rel: 'noopener' }, s.proofKey)),
  );
}

/** Whether some step still waits for a checkpoint (the page asks again a little later). */
export function proofsPending(history: History): boolean {
  return history.steps.some((st) => st.audit.status === 'pending');
}
