import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DoorFiguresFeed } from '../realtime/door-figures-feed.js';
import type { FloorFeed } from '../realtime/floor-feed.js';
import { doorFiguresOf, type DoorFiguresView } from '../services/events/event-summary.service.js';
import type { AppDeps } from '../services/deps.js';
import {
  getAvailability,
  getFloorPlan,
  toPublicTable,
  type FloorTable,
} from '../services/events/read-event.service.js';
import { ACCOUNT_STATE_TTL_MS } from '../auth/account-gate.js';
import { authenticate, callerOf, sessionStillValid } from './auth.js';
import { clientNetwork } from './client-address.js';
import { DomainError } from '../domain/errors.js';
import { ALWAYS, errors } from './responses.js';
import type { ZodApp } from './routes.types.js';
import { idParams, tokenQuery } from './schemas.js';
import { PUBLIC, STAFF_OR_QUERY } from './security.js';

const HEARTBEAT_MS = 15_000;

/** One live view of an event's tables: how to read it whole, and how one changed table is sent. */
interface StreamKind {
  snapshot: (deps: AppDeps, eventId: string) => Promise<unknown>;
  table: (t: FloorTable) => unknown;
  /**
   * The `table` message of each change, built once: the feed hands every subscriber the same
   * table object, and a busy night has hundreds of floor plans open (BENCHMARKS.md, fan-out).
   */
  chunks: WeakMap<FloorTable, string>;
}

function tableChunk(kind: StreamKind, table: FloorTable): string {
  let chunk = kind.chunks.get(table);
  if (chunk === undefined) kind.chunks.set(table, (chunk = sse('table', kind.table(table))));
  return chunk;
}

/**
 * Two Server-Sent Events streams over one floor feed: the team's floor plan
 * (`/floor-plan/stream`, staff and owner: every table with guests and arrivals) and the buyer's
 * (`/availability/stream`, anyone: each table available, held or sold). Each sends a `snapshot`
 * first, then one `table` event per change, `event` when the event is cancelled or completed, and
 * `ping` every 15 s. The subscription starts before the snapshot is read, so a change committed in
 * between is sent (possibly twice: clients replace tables by id).
 */
export function floorStreamRoutes(feed: FloorFeed, figures: DoorFiguresFeed<DoorFiguresView>) {
  return (app: ZodApp, deps: AppDeps): void => {
    const open = new Set<() => void>();
    const room = new StreamRoom(deps.config.connections);
    deps.metrics.gauge(
      'velvet_streams_open',
      "Live streams open now (floor plans, buyers' table pickers)",
      () => room.open,
    );
    const floorPlan: StreamKind = { snapshot: getFloorPlan, table: (t) => t, chunks: new WeakMap() };
    const availability: StreamKind = { snapshot: getAvailability, table: toPublicTable, chunks: new WeakMap() };
    // Open streams never end by themselves: close them before the server waits for idle sockets.
    app.addHook('preClose', async () => {
      for (const end of [...open]) end();
    });

    app.get(
      '/api/v1/events/:id/floor-plan/stream',
      {
        onRequest: authenticate(deps, ['owner', 'staff']),
        schema: {
          tags: ['events'],
          summary:
            'The live floor plan (Server-Sent Events): a snapshot, then one `table` event per change, `event` when the event changes, `ping` every 15 s',
          security: STAFF_OR_QUERY,
          params: idParams,
          querystring: tokenQuery,
          produces: ['text/event-stream', 'application/json'],
          response: { 200: z.string().describe('text/event-stream'), ...errors(401, 403, 404, ...ALWAYS) },
        },
      },
      (request, reply) => serveStream(feed, deps, open, room, floorPlan, request.params.id, request, reply),
    );
    app.get(
      '/api/v1/events/:id/door/stream',
      {
        onRequest: authenticate(deps, ['owner', 'staff']),
        schema: {
          tags: ['door'],
          summary:
            "The door's figures, live (Server-Sent Events): `snapshot` {admitted, by_door, over_time} on connect and whenever they change, `ping` every 15 s",
          security: STAFF_OR_QUERY,
          params: idParams,
          querystring: tokenQuery,
          produces: ['text/event-stream', 'application/json'],
          response: { 200: z.string().describe('text/event-stream'), ...errors(401, 403, 404, ...ALWAYS) },
        },
      },
      (request, reply) => figuresStream(figures, deps, open, room, request.params.id, request, reply),
    );
    app.get(
      '/api/v1/events/:id/availability/stream',
      {
        schema: {
          tags: ['buying'],
          summary:
            'Which tables can still be bought, live (Server-Sent Events): the availability snapshot, then `table` {id, status} per change, `event`, `ping`',
          security: PUBLIC,
          params: idParams,
          produces: ['text/event-stream', 'application/json'],
          response: { 200: z.string().describe('text/event-stream'), ...errors(404, ...ALWAYS) },
        },
      },
      (request, reply) => serveStream(feed, deps, open, room, availability, request.params.id, request, reply),
    );
  };
}

/**
 * Live streams never end by themselves, so each holds a connection (a file descriptor) for as long
 * as its page is open: they are capped in all and per client network, below the connection cap
 * (socket-gate.ts), so scans and `/healthz` still get in when every stream is taken. A stream
 * beyond the cap is refused with `503 too_many_connections` before anything is read.
 */
class StreamRoom {
  private total = 0;
  private readonly byClient = new Map<string, number>();

  constructor(private readonly limits: { streams: number; streamsPerClient: number }) {}

  get open(): number {
    return this.total;
  }

  /** Takes a place for `ip`'s network; returns its release, or throws the refusal. */
  enter(ip: string): () => void {
    const client = clientNetwork(ip);
    const mine = this.byClient.get(client) ?? 0;
    if (mine >= this.limits.streamsPerClient) {
      throw new DomainError(
        'too_many_connections',
        `Your address has ${mine} live views open already; close one and try again`,
        { retry_after_seconds: 10 },
      );
    }
    if (this.total >= this.limits.streams) {
      throw new DomainError(
        'too_many_connections',
        'The server has as many live views open as it serves; try again in a moment',
        { retry_after_seconds: 10 },
      );
    }
    this.total++;
    this.byClient.set(client, mine + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.total--;
      const rest = this.byClient.get(client)! - 1;
      if (rest) this.byClient.set(client, rest);
      else this.byClient.delete(client);
    };
  }
}

async function serveStream(
  feed: FloorFeed,
  deps: AppDeps,
  open: Set<() => void>,
  room: StreamRoom,
  kind: StreamKind,
  eventId: string,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const leave = room.enter(request.ip);
  try {
    await stream(feed, deps, open, kind, eventId, request, reply, leave);
  } catch (err) {
    leave();
    throw err;
  }
}

async function stream(
  feed: FloorFeed,
  deps: AppDeps,
  open: Set<() => void>,
  kind: StreamKind,
  eventId: string,
  request: FastifyRequest,
  reply: FastifyReply,
  leave: () => void,
) {
  const queued: string[] = [];
  let ready = false;
  const send = (chunk: string) => (ready ? reply.raw.write(chunk) : queued.push(chunk));
  let end = () => {};
  const unsubscribe = await feed.subscribe(eventId, {
    table: (table) => send(tableChunk(kind, table)),
    event: (status) => send(sse('event', { id: eventId, status })),
    // The database connection came back: what changed meanwhile was never announced, so the stream
    // starts over with a fresh snapshot. If that cannot be read either, the stream ends and the
    // client reconnects (and gets its snapshot then).
    resync: () =>
      void kind.snapshot(deps, eventId).then(
        (plan) => send(sse('snapshot', plan)),
        (err: unknown) => {
          request.log.warn({ err }, 'floor plan resync failed; ending the stream');
          end();
        },
      ),
  });
  let snapshot;
  try {
    snapshot = await kind.snapshot(deps, eventId);
  } catch (err) {
    unsubscribe();
    throw err;
  }
  reply.hijack();
  end = await keepOpen(deps, open, request, reply, sse('snapshot', snapshot), () => {
    leave();
    unsubscribe();
  });
  ready = true;
  for (const chunk of queued.splice(0)) reply.raw.write(chunk);
}

/**
 * The door's figures, live: `snapshot` on connect and again whenever they change (the whole
 * figures each time: they are small), `ping` every 15 s. One reader per watched event
 * (door-figures-feed.ts), however many screens watch.
 */
async function figuresStream(
  figures: DoorFiguresFeed<DoorFiguresView>,
  deps: AppDeps,
  open: Set<() => void>,
  room: StreamRoom,
  eventId: string,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const leave = room.enter(request.ip);
  let current: DoorFiguresView;
  try {
    current = await doorFiguresOf(deps, eventId);
  } catch (err) {
    leave();
    throw err;
  }
  // Subscribed before the stream opens, so no change is missed; one that comes first waits.
  let ready = false;
  let waiting: string | null = null;
  const unsubscribe = figures.subscribe(eventId, current, (_figures, json) => {
    const chunk = `event: snapshot\ndata: ${json}\n\n`;
    if (ready) reply.raw.write(chunk);
    else waiting = chunk;
  });
  reply.hijack();
  await keepOpen(deps, open, request, reply, sse('snapshot', current), () => {
    leave();
    unsubscribe();
  });
  ready = true;
  if (waiting) reply.raw.write(waiting);
}

/**
 * Writes the stream's head and first message, then keeps it open: a `ping` every 15 s, and for a
 * staff or owner login a recheck that ends the stream within the seconds any other request would
 * notice the account disabled, its password reset or the token expired (the page then reconnects,
 * is refused and asks to log in again). Returns the function that ends it (also run when the
 * client goes, and before the server closes).
 */
async function keepOpen(
  deps: AppDeps,
  open: Set<() => void>,
  request: FastifyRequest,
  reply: FastifyReply,
  first: string,
  cleanup: () => void,
): Promise<() => void> {
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  reply.raw.write(first);
  // A named event, not a comment: browsers' EventSource only sees events, and the page's watchdog
  // reconnects when it hears nothing for a while.
  const heartbeat = setInterval(() => reply.raw.write(sse('ping', {})), HEARTBEAT_MS);
  const caller = await callerOf(deps, request);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    open.delete(end);
    clearInterval(heartbeat);
    clearInterval(recheck);
    cleanup();
    reply.raw.end();
  };
  const recheck =
    caller.kind === 'user'
      ? setInterval(
          () =>
            void sessionStillValid(deps, caller).then(
              (valid) => valid || end(),
              () => {},
            ),
          ACCOUNT_STATE_TTL_MS,
        )
      : undefined;
  open.add(end);
  request.raw.on('close', end);
  return end;
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
