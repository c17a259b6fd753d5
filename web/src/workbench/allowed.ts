// Which actions a ticket offers the person looking at it: its status decides what may
// come next (`crates/cases/src/lifecycle.rs`), the reader's role and unit who may take
// it (the lead unit's people handle; supervisors and administrators triage, supervise
// and close). The server checks both again; this only spares offering what it refuses.

import type { SessionInfo } from '../session';
import { mayHandle, mayOperate, mayReadTickets } from '../tickets/access';
import type { Service, Ticket } from '../tickets/model';

export type ActionKind = 'accept' | 'return' | 'contact' | 'on-site' | 'resolve' | 'dispatch' | 'supervise' | 'comment' | 'close';

export interface ActionSpec {
  kind: ActionKind;
  /** What the form asks for before the action is sent. */
  needs: 'nothing' | 'note' | 'required-note' | 'supervision' | 'dispatch';
  /** Shown as the main action (the next step of the handling). */
  primary?: boolean;
}

export function allowedActions(who: SessionInfo | null, tk: Ticket, service: Service | undefined): ActionSpec[] {
  const out: ActionSpec[] = [];
  if (tk.status === 'closed' || !mayReadTickets(who)) return out;
  // A service unknown to this page is taken to need a visit: the server says otherwise if not.
  const needsSite = service?.needs_site ?? true;
  if (mayHandle(who, tk)) {
    switch (tk.status) {
      case 'dispatched':
        out.push({ kind: 'accept', needs: 'nothing', primary: true }, { kind: 'return', needs: 'required-note' });
        break;
      case 'accepted':
        out.push({ kind: 'contact', needs: 'note', primary: true }, { kind: 'return', needs: 'required-note' });
        break;
      case 'contacted':
        out.push(needsSite ? { kind: 'on-site', needs: 'note', primary: true } : { kind: 'resolve', needs: 'required-note', primary: true });
        break;
      case 'on-site':
        out.push({ kind: 'resolve', needs: 'required-note', primary: true });
        break;
    }
  }
  if (mayOperate(who)) {
    if (tk.status === 'triage') out.push({ kind: 'dispatch', needs: 'dispatch', primary: true });
    out.push({ kind: 'supervise', needs: 'supervision' });
  }
  out.push({ kind: 'comment', needs: 'required-note' });
  if (mayOperate(who)) out.push({ kind: 'close', needs: 'required-note' });
  return out;
}
