// One way to talk to the server: same-origin fetch with the session cookie, JSON in and
// out, and every failure turned into an ApiError whose message is fit to show a person.

import { t } from './i18n';

export class ApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached. */
  readonly status: number;
  /** The server's stable error code (`unauthenticated`, `not_found`, …), or `network`. */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let csrfToken: string | null = null;

/** The CSRF token of the current session, sent with every state-changing request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** A polite message for a failure, in the current language. */
export function politeMessage(e: unknown): string {
  const s = t();
  if (!(e instanceof ApiError)) return s.errorServer;
  if (e.status === 0) return s.errorNetwork;
  switch (e.code) {
    case 'unauthenticated':
    case 'invalid_token':
      return s.errorUnauthenticated;
    case 'invalid_credentials':
      return s.errorCredentials;
    case 'too_many_attempts':
    case 'rate_limited':
      return s.errorThrottled;
    case 'forbidden':
      return s.errorForbidden;
    case 'not_found':
      return s.errorNotFound;
  }
  if (e.status === 401) return s.errorUnauthenticated;
  if (e.status === 403) return s.errorForbidden;
  if (e.status === 404) return s.errorNotFound;
  if (e.status === 429) return s.errorThrottled;
  if (e.status >= 500) return s.errorServer;
  // A 4xx the page did not expect: the server's own message says what was wrong.
  return e.message || s.errorServer;
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', String(e));
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText;
  try {
    const body = await res.json();
    if (typeof body?.code === 'string') code = body.code;
    if (typeof body?.message === 'string') message = body.message;
  } catch {
    // Not JSON (a proxy's error page): the status is all there is.
  }
  return new ApiError(res.status, code, message);
}

/** True for an abort caused by a newer request replacing this one. */
export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}
