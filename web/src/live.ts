// The live channel: server-sent events from `/api/v1/events`. `feature` events say a twin
// feature was created, updated (replaced) or deleted. `hello` opens every connection: on a
// reconnect, changes may have been missed, as `resync` says outright when the server had
// to drop some; either way the page refreshes everything. `ticket` events say a ticket
// changed (ids and states only; staff who read tickets hear them), for the pages that
// show tickets. Other event types (alarms) share the channel and are ignored here. EventSource reconnects by itself after a
// dropped connection; when the server refuses outright, we try again a little later.

export interface FeatureEvent {
  layer: string;
  id: number;
  kind: 'created' | 'updated' | 'replaced' | 'deleted';
}

const KINDS = ['created', 'updated', 'replaced', 'deleted'];

export interface TicketEvent {
  id: number;
  status: string;
  overdue: boolean;
}

export type LiveState = 'connecting' | 'live' | 'offline';

export interface LiveHandlers {
  onFeature?(e: FeatureEvent): void;
  onTicket?(e: TicketEvent): void;
  /** Changes may have been missed: refresh everything. */
  onResync(): void;
  onState(s: LiveState): void;
}

const RETRY_MS = 5000;

export function connectLive(handlers: LiveHandlers): () => void {
  let source: EventSource | null = null;
  let retry = 0;
  let stopped = false;
  let connectedBefore = false;

  const open = () => {
    handlers.onState('connecting');
    const es = new EventSource('/api/v1/events');
    source = es;
    es.onopen = () => handlers.onState('live');
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        handlers.onState('offline');
        if (!stopped) retry = window.setTimeout(open, RETRY_MS);
      } else {
        handlers.onState('connecting');
      }
    };
    es.addEventListener('hello', () => {
      if (connectedBefore) handlers.onResync();
      connectedBefore = true;
    });
    es.addEventListener('resync', () => handlers.onResync());
    es.addEventListener('feature', (msg) => {
      const e = parseFeatureEvent((msg as MessageEvent<string>).data);
      if (e) handlers.onFeature?.(e);
    });
    es.addEventListener('ticket', (msg) => {
      const e = parseTicketEvent((msg as MessageEvent<string>).data);
      if (e) handlers.onTicket?.(e);
    });
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    source?.close();
  };
}

/** A feature event, or null for anything malformed (the channel is not trusted blindly). */
export function parseFeatureEvent(data: string): FeatureEvent | null {
  try {
    const v = JSON.parse(data) as Partial<FeatureEvent>;
    if (typeof v.layer !== 'string' || typeof v.id !== 'number') return null;
    if (typeof v.kind !== 'string' || !KINDS.includes(v.kind)) return null;
    return { layer: v.layer, id: v.id, kind: v.kind };
  } catch {
    return null;
  }
}

/** A ticket event, or null for anything malformed. */
export function parseTicketEvent(data: string): TicketEvent | null {
  try {
    const v = JSON.parse(data) as Partial<TicketEvent>;
    if (typeof v.id !== 'number' || typeof v.status !== 'string') return null;
    return { id: v.id, status: v.status, overdue: v.overdue === true };
  } catch {
    return null;
  }
}

/**
 * Calls `f(key)` at most once per `ms` per key, always after the last call for that key
 * (a burst of changes to one layer becomes one refresh, and the last change is never lost).
 */
export function throttlePerKey(f: (key: string) => void, ms: number): (key: string) => void {
  const last = new Map<string, number>();
  const pending = new Map<string, number>();
  return (key) => {
    if (pending.has(key)) return;
    const wait = Math.max(0, (last.get(key) ?? 0) + ms - Date.now());
    pending.set(
      key,
      window.setTimeout(() => {
        pending.delete(key);
        last.set(key, Date.now());
        f(key);
      }, wait),
    );
  };
}
