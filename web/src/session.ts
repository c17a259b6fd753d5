// Who is signed in. The session itself is an HttpOnly cookie the page cannot read; the
// page keeps the description the server gives (`GET /api/v1/session`) and the CSRF token
// that must accompany every state-changing request.

import { ApiError, request, setCsrfToken } from './api';

export interface SessionInfo {
  user: { id: number; username: string; display_name: string; role: string; role_name: string };
  // Unit ids are strings: a grid code for an area's unit, `440304-D01` for a department.
  unit: { id: string; name: string; kind: string } | null;
  /** The grid-code prefix the user governs, or null for the whole district. */
  jurisdiction: string | null;
  entitlement: string;
  csrf_token: string;
}

let current: SessionInfo | null = null;

// Whether this browser signed in last time. A guest's page never asks the server who it
// is, so a plain visit makes no request that is answered 401 (which browsers log as an
// error); the cookie itself is HttpOnly and cannot be looked at.
const HINT_KEY = 'citymirror.signedIn';

function hint(on: boolean | null): boolean {
  try {
    if (on === true) localStorage.setItem(HINT_KEY, '1');
    else if (on === false) localStorage.removeItem(HINT_KEY);
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return on ?? true;
  }
}
const listeners: Array<(s: SessionInfo | null) => void> = [];

export function session(): SessionInfo | null {
  return current;
}

export function onSessionChange(f: (s: SessionInfo | null) => void): void {
  listeners.push(f);
}

function set(s: SessionInfo | null): void {
  current = s;
  hint(s !== null);
  setCsrfToken(s?.csrf_token ?? null);
  for (const f of listeners) f(s);
}

/** Reads the session the cookie carries, if any; a guest is not an error. */
export async function restoreSession(): Promise<SessionInfo | null> {
  if (!hint(null)) return null;
  try {
    set(await request<SessionInfo>('/api/v1/session'));
  } catch (e) {
    if (!(e instanceof ApiError && (e.status === 401 || e.status === 403))) throw e;
    set(null);
  }
  return current;
}

export async function signIn(username: string, password: string): Promise<SessionInfo> {
  const s = await request<SessionInfo>('/api/v1/session', {
    method: 'POST',
    body: { username, password },
  });
  set(s);
  return s;
}

export async function signOut(): Promise<void> {
  try {
    await request<void>('/api/v1/session', { method: 'DELETE' });
  } finally {
    // Whatever the server said, this page no longer acts as that user.
    set(null);
  }
}
