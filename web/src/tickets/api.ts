// The request loop's endpoints, one function each, over the shared `request` (same
// origin, session cookie, CSRF header, polite errors).

import { request } from '../api';
import type {
  Catalogue,
  History,
  Hotspot,
  Located,
  MapTicket,
  PointCollection,
  PublicTicket,
  Receipt,
  SimilarTicket,
  Summary,
  Ticket,
  Verdict,
} from './model';

const enc = encodeURIComponent;

function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '' && v !== false) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface QueueFilter {
  /** `open`, or comma-separated statuses; empty for all. */
  status?: string;
  supervised?: boolean;
  service?: string;
  before?: number;
  limit?: number;
}

export function listTickets(f: QueueFilter = {}, signal?: AbortSignal): Promise<{ tickets: Ticket[]; next_before: number | null }> {
  return request(`/api/v1/tickets${query({ ...f })}`, { signal });
}

export function getTicket(number: string, signal?: AbortSignal): Promise<Ticket> {
  return request(`/api/v1/tickets/${enc(number)}`, { signal });
}

export function getHistory(number: string, signal?: AbortSignal): Promise<History> {
  return request(`/api/v1/tickets/${enc(number)}/history`, { signal });
}

export interface ActionBody {
  action: string;
  note?: string;
  verdict?: Verdict;
  service_code?: string;
  unit?: string;
  due?: string;
}

export function act(number: string, body: ActionBody): Promise<Ticket> {
  return request(`/api/v1/tickets/${enc(number)}/actions`, { method: 'POST', body });
}

export interface NewTicket {
  service_code?: string;
  title: string;
  description: string;
  lon: number;
  lat: number;
  address?: string;
  attributes?: Record<string, string>;
  photos?: string[];
  contact_name?: string;
  contact_phone?: string;
}

export function submitTicket(body: NewTicket): Promise<Receipt> {
  return request('/api/v1/tickets', { method: 'POST', body });
}

export function similarTickets(p: { lon: number; lat: number; text: string; service_code?: string }): Promise<{ similar: SimilarTicket[] }> {
  return request(`/api/v1/tickets/similar${query(p)}`);
}

export function track(number: string, token: string, signal?: AbortSignal): Promise<PublicTicket> {
  return request(`/api/v1/track/${enc(number)}${query({ token })}`, { signal });
}

export function trackHistory(number: string, token: string, signal?: AbortSignal): Promise<History> {
  return request(`/api/v1/track/${enc(number)}/history${query({ token })}`, { signal });
}

export function trackEvaluate(number: string, token: string, verdict: Verdict, note?: string): Promise<PublicTicket> {
  return request(`/api/v1/track/${enc(number)}/evaluate`, { method: 'POST', body: { token, verdict, note } });
}

let catalogue: Promise<Catalogue> | null = null;

/** The services, families and channels; asked once per page (they change with a release). */
export function loadCatalogue(): Promise<Catalogue> {
  catalogue ??= request<Catalogue>('/api/v1/cases/catalogue').catch((e) => {
    catalogue = null;
    throw e;
  });
  return catalogue;
}

export function ticketsMap(signal?: AbortSignal): Promise<PointCollection<MapTicket>> {
  return request('/api/v1/tickets/map', { signal });
}

export function stats(p: { from?: string; area?: string } = {}, signal?: AbortSignal): Promise<Summary> {
  return request(`/api/v1/tickets/stats${query(p)}`, { signal });
}

export function hotspots(signal?: AbortSignal): Promise<PointCollection<Hotspot>> {
  return request('/api/v1/tickets/hotspots', { signal });
}

/** The grid path of a point (404 `outside_district` outside Futian). */
export function locate(lon: number, lat: number, signal?: AbortSignal): Promise<Located> {
  return request(`/api/v1/locate${query({ lon, lat })}`, { signal });
}

export interface UnitSummary {
  id: string;
  name: string;
  kind: string;
  parent: string | null;
}

export function listUnits(): Promise<{ units: UnitSummary[] }> {
  return request('/api/v1/units');
}
