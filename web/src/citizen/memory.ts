// What this phone remembers of a citizen's requests: the tracking token of each request
// sent from it (so "track" works without typing it, even signed out), and the similar
// requests they chose to follow instead of sending their own, with the status they had
// then. Both stay on the device (localStorage); the server keeps only a digest of a token.

import type { PublicTicket, Status } from '../tickets/model';

const TOKENS = 'citymirror.tracking';
const FOLLOWED = 'citymirror.followed';

function read<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(localStorage.getItem(key) ?? 'null') as T) ?? fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode: not remembered, the page still works for this visit.
  }
}

export function rememberToken(number: string, token: string): void {
  write(TOKENS, { ...read<Record<string, string>>(TOKENS, {}), [number]: token });
}

export function tokenOf(number: string): string | null {
  return read<Record<string, string>>(TOKENS, {})[number] ?? null;
}

export interface Followed {
  number: string;
  status: Status;
  service: PublicTicket['service'];
  title: string;
  description: string;
  at: string;
}

export function follow(tk: PublicTicket): void {
  const list = read<Followed[]>(FOLLOWED, []).filter((f) => f.number !== tk.number);
  list.unshift({
    number: tk.number,
    status: tk.status,
    service: tk.service,
    title: tk.title,
    description: tk.description,
    at: new Date().toISOString(),
  });
  write(FOLLOWED, list.slice(0, 50));
}

export function followed(): Followed[] {
  return read<Followed[]>(FOLLOWED, []);
}
