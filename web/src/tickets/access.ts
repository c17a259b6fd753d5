// What a signed-in person may do with tickets, as the page needs to know it to decide
// which links, layers and buttons to show. The server decides for real on every request
// (`Role::grants`, docs/permissions.md); this mirror only keeps the page from offering
// what would be refused.

import type { SessionInfo } from '../session';
import type { Ticket } from './model';

const READ = ['grid-worker', 'community-staff', 'street-staff', 'department-handler', 'supervisor', 'district-admin'];
const HANDLE = ['grid-worker', 'community-staff', 'street-staff', 'department-handler', 'district-admin'];
const OPERATE = ['supervisor', 'district-admin'];
const STATS = ['community-staff', 'street-staff', 'supervisor', 'district-admin', 'data-analyst'];

const role = (s: SessionInfo | null) => s?.user.role ?? '';

/** Reads tickets: the workbench, the map's tickets layer, the `ticket` live events. */
export function mayReadTickets(s: SessionInfo | null): boolean {
  return READ.includes(role(s));
}

/** Reads the request loop's figures: the dashboard. */
export function mayReadStats(s: SessionInfo | null): boolean {
  return STATS.includes(role(s));
}

/** Triages, supervises and closes (supervisors and the district's administrators). */
export function mayOperate(s: SessionInfo | null): boolean {
  return OPERATE.includes(role(s));
}

export function isCitizen(s: SessionInfo | null): boolean {
  return role(s) === 'citizen';
}

/**
 * Takes the handling steps (accept … resolve) on this ticket: its lead unit's people,
 * and the district's administrators anywhere.
 */
export function mayHandle(s: SessionInfo | null, t: Ticket): boolean {
  if (!HANDLE.includes(role(s))) return false;
  if (role(s) === 'district-admin') return true;
  return !!s?.unit && !!t.lead_unit && s.unit.id === t.lead_unit.id;
}

/**
 * Still reads this ticket (`can_read` in crates/http/src/routes/tickets/view.rs): after
 * a return the ticket goes to another unit, and its former handlers no longer see it.
 */
export function mayReadTicket(s: SessionInfo | null, t: Ticket): boolean {
  const r = role(s);
  if (r === 'supervisor' || r === 'district-admin') return true;
  const unit = s?.unit?.id;
  const involved = !!unit && (t.lead_unit?.id === unit || t.assisting.some((a) => a.id === unit));
  if (r === 'department-handler') return involved;
  if (r === 'street-staff' || r === 'community-staff' || r === 'grid-worker') {
    const j = s?.jurisdiction;
    return involved || (!!j && !!t.grid_code?.startsWith(j));
  }
  return false;
}
