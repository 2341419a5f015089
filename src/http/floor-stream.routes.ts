import type { AppDeps } from '../services/deps.js';
import { getFloorPlan } from '../services/events/read-event.service.js';
import type { FloorFeed } from '../realtime/floor-feed.js';
import { authenticate } from './auth.js';
import { idParams, tokenQuery } from './schemas.js';
import type { ZodApp } from './routes.types.js';
import { z } from 'zod';
import { ALWAYS, errors } from './responses.js';
import { STAFF_OR_QUERY } from './security.js';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /events/:id/floor-plan/stream`: Server-Sent Events. First `snapshot` (the whole floor plan),
 * then one `table` event per change. The subscription starts before the snapshot is read, so a change
 * committed in between is sent (possibly twice: clients replace tables by id).
 */
export function floorStreamRoutes(feed: FloorFeed) {
  return (app: ZodApp, deps: AppDeps): void => {
    const open = new Set<() => void>();
    // Open streams never end by themselves: close them before the server waits for idle sockets.
    app.addHook('preClose', async () => {
      for (const end of [...open]) end();
    });
    app.get(
      '/api/v1/events/:id/floor-plan/stream',
      { onRequest: authenticate(deps, ['owner', 'staff']), schema: {
          tags: ['events'],
          summary: 'The live floor plan (Server-Sent Events): a snapshot, then one `table` event per change, `event` when the event changes, `ping` every 15 s',
          security: STAFF_OR_QUERY,
          params: idParams,
          querystring: tokenQuery,
          produces: ['text/event-stream', 'application/json'],
          response: { 200: z.string().describe('text/event-stream'), ...errors(401, 403, 404, ...ALWAYS) },
        },
      },
      async (request, reply) => {
        const eventId = request.params.id;
        const queued: string[] = [];
        let ready = false;
        const send = (chunk: string) => (ready ? reply.raw.write(chunk) : queued.push(chunk));
        let end = () => {};
        const unsubscribe = await feed.subscribe(eventId, {
          table: (table) => send(sse('table', table)),
          event: (status) => send(sse('event', { id: eventId, status })),
          // The database connection came back: what changed meanwhile was never announced, so
          // the stream starts over with a fresh snapshot. If that cannot be read either, the
          // stream ends and the client reconnects (and gets its snapshot then).
          resync: () =>
            void getFloorPlan(deps, eventId).then(
              (plan) => send(sse('snapshot', plan)),
              (err: unknown) => {
                request.log.warn({ err }, 'floor plan resync failed; ending the stream');
                end();
              },
            ),
        });
        let snapshot;
        try {
          snapshot = await getFloorPlan(deps, eventId);
        } catch (err) {
          unsubscribe();
          throw err;
        }
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        reply.raw.write(sse('snapshot', snapshot));
        ready = true;
        for (const chunk of queued.splice(0)) reply.raw.write(chunk);
        // A named event, not a comment: browsers' EventSource only sees events, and the page's watchdog
        // reconnects when it hears nothing for a while.
        const heartbeat = setInterval(() => reply.raw.write(sse('ping', {})), HEARTBEAT_MS);
        end = () => {
          open.delete(end);
          clearInterval(heartbeat);
          unsubscribe();
          reply.raw.end();
        };
        open.add(end);
        request.raw.on('close', end);
      },
    );
  };
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
