import type { FloorTable } from '../ui/FloorPlan.js';
import { api, ApiError } from './api.js';
import type * as contract from './contract.js';

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

export type FloorSnapshot = contract.FloorPlan;

export interface LiveStreamHandlers<Snapshot, Table> {
  onSnapshot(plan: Snapshot): void;
  onTable(table: Table): void;
  /** The event itself changed (e.g. cancelled). */
  onEventStatus?(status: string): void;
  onStatus(status: FeedStatus): void;
  /** The login is no longer accepted (expired, or the account disabled). */
  onUnauthorized(): void;
  onNotFound?(): void;
}

export type FloorStreamHandlers = LiveStreamHandlers<FloorSnapshot, FloorTable>;

/** The team's live floor plan (staff or owner login). EventSource cannot send headers, hence `?token=`. */
export function openFloorStream(eventId: string, token: string, h: FloorStreamHandlers): () => void {
  const base = `/api/v1/events/${encodeURIComponent(eventId)}/floor-plan`;
  return openLiveStream({ streamUrl: `${base}/stream?token=${encodeURIComponent(token)}`, probeUrl: base, token }, h);
}

/** The door's figures (the summary's `door`): people admitted, by door and per quarter hour of their first entry. */
export type DoorFigures = contract.EventSummary['door'];

/**
 * The door's figures, live (staff or owner login): each message is the whole figures, sent on
 * connect and whenever they change.
 */
export function openDoorFiguresStream(
  eventId: string,
  token: string,
  h: Omit<LiveStreamHandlers<DoorFigures, never>, 'onTable'>,
): () => void {
  const base = `/api/v1/events/${encodeURIComponent(eventId)}`;
  return openLiveStream(
    { streamUrl: `${base}/door/stream?token=${encodeURIComponent(token)}`, probeUrl: `${base}/floor-plan`, token },
    { ...h, onTable: () => {} },
  );
}

export type Availability = contract.Availability;
export type PublicTable = Availability['tables'][number];

/** The buyer's live view of which tables can be bought (anyone, no login). */
export function openAvailabilityStream(eventId: string, h: LiveStreamHandlers<Availability, PublicTable>): () => void {
  const base = `/api/v1/events/${encodeURIComponent(eventId)}/availability`;
  return openLiveStream({ streamUrl: `${base}/stream`, probeUrl: base, token: null }, h);
}

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
/** The server sends a `ping` every 15 s; silence for this long means the connection is dead. */
const SILENCE_MS = 40_000;

/**
 * A live view over Server-Sent Events, kept alive: every (re)connection starts with a fresh
 * `snapshot` (so nothing missed during a gap survives), lost connections are retried with
 * exponential backoff and jitter, and a connection that goes silent (a phone that changed
 * networks, a proxy that dropped it) is noticed by a watchdog instead of hanging forever.
 */
function openLiveStream<Snapshot, Table>(
  urls: { streamUrl: string; probeUrl: string; token: string | null },
  h: LiveStreamHandlers<Snapshot, Table>,
): () => void {
  let source: EventSource | null = null;
  let attempt = 0;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;

  const heard = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => reconnect(), SILENCE_MS);
  };

  const connect = () => {
    if (closed) return;
    h.onStatus(attempt === 0 ? 'connecting' : 'reconnecting');
    source = new EventSource(urls.streamUrl);
    heard();
    source.addEventListener('snapshot', (e) => {
      attempt = 0;
      heard();
      h.onStatus('live');
      h.onSnapshot(JSON.parse((e as MessageEvent<string>).data) as Snapshot);
    });
    source.addEventListener('table', (e) => {
      heard();
      h.onTable(JSON.parse((e as MessageEvent<string>).data) as Table);
    });
    source.addEventListener('event', (e) => {
      heard();
      const data = JSON.parse((e as MessageEvent<string>).data) as { status?: string };
      if (data.status) h.onEventStatus?.(data.status);
    });
    source.addEventListener('ping', heard);
    source.onerror = () => void reconnect();
  };

  const reconnect = async () => {
    if (closed) return;
    source?.close();
    source = null;
    clearTimeout(watchdog);
    h.onStatus('reconnecting');
    // EventSource hides the status of a refused stream: ask once whether it was the login.
    try {
      await api(urls.probeUrl, { token: urls.token, timeoutMs: 5000 });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return h.onUnauthorized();
      if (err instanceof ApiError && err.status === 404) return h.onNotFound?.();
    }
    if (closed) return;
    const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
    attempt++;
    retryTimer = setTimeout(connect, base * (0.8 + Math.random() * 0.4));
  };

  connect();
  return () => {
    closed = true;
    clearTimeout(retryTimer);
    clearTimeout(watchdog);
    source?.close();
  };
}
