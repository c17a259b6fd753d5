// The request loop's JSON, as `crates/http/src/routes/tickets/` writes it. One place for
// the shapes, so a change on the server is a type error here rather than a blank field.

export type Status = 'triage' | 'dispatched' | 'accepted' | 'contacted' | 'on-site' | 'resolved' | 'closed';
export type Verdict = 'satisfied' | 'basically-satisfied' | 'unsatisfied';

export interface Named {
  code: string;
  name: string | null;
  name_en: string | null;
}

export interface UnitRef {
  id: string;
  name: string | null;
}

export interface Timer {
  started: string;
  due: string;
  met_at: string | null;
  on_time: boolean | null;
  warned: boolean;
  breached: boolean;
}

/** What anyone with the tracking token may know (`/api/v1/track/{number}`, similar tickets). */
export interface PublicTicket {
  number: string;
  status: Status;
  status_label: string;
  service: Named;
  family: Named;
  title: string;
  description: string;
  lon: number;
  lat: number;
  address: string | null;
  grid_code: string | null;
  lead_unit: UnitRef | null;
  urgency: 'urgent' | 'normal';
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  closed_at: string | null;
  overdue: boolean;
  verdict: Verdict | null;
}

/** A ticket as staff (and its own citizen) read it, masked to the reader. */
export interface Ticket extends PublicTicket {
  id: number;
  channel: Named;
  /** What the channel knows the request by: a hotline call id, or for a sensor
   * (`iot-sensor`) the alarm, `alarm:<datastream id>:<raised at, ms since the epoch>`. */
  source_ref: string | null;
  category_source: 'submitter' | 'classifier' | 'operator' | 'rule';
  confidence: number | null;
  place: { layer: string; id: number; name: string | null } | null;
  assignee: number | null;
  assisting: UnitRef[];
  contact: { name: string | null; phone: string | null };
  dispatched_at: string | null;
  timers: { contact: Timer | null; on_site: Timer | null; close: Timer | null };
  reopened: number;
  returned: number;
  duplicate_of: number | null;
  supervised: boolean;
  supervision_due: string | null;
  version: number;
  media: Array<{ id: number; type: string; href: string }>;
}

export interface SimilarTicket extends PublicTicket {
  distance_m: number;
  similarity: number;
  same_place: boolean;
}

export interface Receipt {
  number: string;
  tracking_token: string | null;
  created: boolean;
  status: Status;
  service_code: string;
  lead_unit: string | null;
  similar: number;
  track: string;
}

export type ProofStatus = 'covered' | 'pending' | 'unaudited';

export interface Step {
  step: number;
  at: string;
  kind: string;
  label: string;
  role: string;
  unit: string | null;
  note: string | null;
  /** Staff only: the note as their entitlement shows it. */
  note_text?: string;
  detail: Record<string, unknown>;
  audit: { status: ProofStatus; index?: number; entry?: string; proof?: string[] };
}

export interface History {
  number: string;
  status: Status;
  checkpoint: { size: number; note: string } | null;
  key: string;
  steps: Step[];
}

export interface Attribute {
  code: string;
  description: string;
  required: boolean;
  values: Array<{ key: string; name: string }>;
}

export interface Service {
  code: string;
  name: string;
  name_en: string;
  description: string;
  family: string;
  needs_site: boolean;
  urgency: 'urgent' | 'normal';
  attributes: Attribute[];
}

export interface Catalogue {
  families: Array<{ code: string; name: string; name_en: string }>;
  services: Service[];
  channels: Array<{ code: string; name: string; name_en: string; kind: string; urgency: string }>;
  urgencies: string[];
}

export interface Count {
  key: string;
  tickets: number;
}

/** `GET /api/v1/tickets/stats` (`crates/cases/src/stats.rs`, `Summary`). */
export interface Summary {
  tickets: number;
  open: number;
  by_status: Count[];
  by_channel: Count[];
  by_family: Count[];
  by_service: Count[];
  by_street: Count[];
  by_community: Count[];
  by_grid: Count[];
  by_unit: Count[];
  on_time: Array<{ stage: string; met: number; on_time: number; rate: number | null }>;
  handling: { tickets: number; mean_days: number | null; p50_days: number | null; p90_days: number | null };
  evaluated: number;
  satisfaction: number | null;
  matrix_errors: Array<{ family: string; dispatched: number; returned: number; rate: number | null }>;
  monthly: Array<{ month: string; tickets: number; mean_handling_days: number | null; satisfaction: number | null }>;
}

export interface PointCollection<P> {
  type: 'FeatureCollection';
  features: Array<{ type: 'Feature'; id?: number; geometry: { type: 'Point'; coordinates: [number, number] }; properties: P }>;
}

export interface MapTicket {
  number: string;
  status: Status;
  service: string;
  family: string;
  urgency: string;
  overdue: boolean;
  supervised: boolean;
}

export interface Hotspot {
  grid: string;
  family: string;
  family_name: string | null;
  tickets: number;
  open: number;
}

/** `GET /api/v1/locate`: the grid path of a point. */
export interface Located {
  district?: { code: string; name: string };
  street?: { code: string; name: string };
  community?: { code: string; name: string };
  grid?: { code: string; name: string };
}
