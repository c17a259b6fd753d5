// The test's own client of the server's API, from Node: sign in like a browser (session
// cookie plus CSRF token) and write features through OGC API Features Part 4.

import { SERVER_URL } from './browser.mjs';

export const DEMO_PASSWORD = 'Futian@2026';

export async function getJson(path) {
  const res = await fetch(SERVER_URL + path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Signs in and returns a client that sends the session cookie and CSRF token. */
export async function signIn(username, password = DEMO_PASSWORD) {
  const res = await fetch(`${SERVER_URL}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${username}: HTTP ${res.status} ${await res.text()}`);
  const session = await res.json();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const send = async (method, path, body, contentType = 'application/geo+json') => {
    const headers = { cookie, 'x-csrf-token': session.csrf_token, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = contentType;
    const r = await fetch(SERVER_URL + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
    return r;
  };
  return { session, send };
}

/** The id of a feature just created: from the body when there is one, else from Location. */
export async function createdId(res) {
  const location = res.headers.get('location');
  const text = await res.text();
  if (text) {
    try {
      const body = JSON.parse(text);
      if (body.id !== undefined) return Number(body.id);
    } catch {
      // Not JSON; Location says it.
    }
  }
  const m = location?.match(/\/items\/([^/?#]+)$/);
  if (!m) throw new Error(`no id in the response (Location: ${location})`);
  return Number(decodeURIComponent(m[1]));
}

/** A square footprint of `size` degrees around a point, closed, counter-clockwise. */
export function square([lon, lat], size = 0.0004) {
  const d = size / 2;
  return [
    [
      [lon - d, lat - d],
      [lon + d, lat - d],
      [lon + d, lat + d],
      [lon - d, lat + d],
      [lon - d, lat - d],
    ],
  ];
}
