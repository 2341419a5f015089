import { z } from 'zod';
import { scanResults } from '../domain/check-in.js';
import { DomainError } from '../domain/errors.js';
import type { AppDeps } from '../services/deps.js';
import { getScannerCache } from '../services/door/scanner-cache.service.js';
import { scanTicket } from '../services/door/scan-ticket.service.js';
import { syncOfflineScans } from '../services/door/sync-offline-scans.service.js';
import { authenticate, callerOf, requireRole } from './auth.js';
import { anyTimestamp, id, idParams, text, timestamp, token } from './schemas.js';
import type { ZodApp } from './routes.types.js';
import { ALWAYS, batchResponse, errors, scanResponse, scannerCache } from './responses.js';
import { STAFF, STAFF_OR_QUERY } from './security.js';

// Whatever a camera read is logged as an attempt (`invalid_code`), so only absurd sizes are bad input.
const qr = z.string().min(1).max(4096);
const scannerId = text(100);
const nonce = token(200);

// A scan names its ticket by code (`qr`) or, for a manual admission from the door's search by name,
// by `ticket_id` (staff picked it). A door works one event: `event_id` is required, and a code of
// any other event is refused as `wrong_event`.
const oneTicket = (s: { qr?: string | undefined; ticket_id?: string | undefined }) =>
  (s.qr === undefined) !== (s.ticket_id === undefined);
const ONE_TICKET = { message: 'send either qr or ticket_id', path: ['qr'] };
/** The same rule in the OpenAPI document: exactly one of the two. */
const ONE_TICKET_SCHEMA = { oneOf: [{ required: ['qr'] }, { required: ['ticket_id'] }] };

const scanBody = z
  .object({ qr: qr.optional(), ticket_id: id.optional(), scanner_id: scannerId, event_id: id, nonce: nonce.optional() })
  .refine(oneTicket, ONE_TICKET)
  .meta(ONE_TICKET_SCHEMA);
const scanHeaders = z.looseObject({ 'x-idempotency-key': nonce.optional() });

const batchBody = z.object({
  scanner_id: scannerId,
  event_id: id,
  scans: z
    .array(
      z
        .object({
          qr: qr.optional(),
          ticket_id: id.optional(),
          scanned_at: anyTimestamp,
          offline_result: z.enum(scanResults),
          nonce: nonce.optional(),
        })
        .refine(oneTicket, ONE_TICKET)
        .meta(ONE_TICKET_SCHEMA),
    )
    .min(1)
    .max(1000),
});

const cacheQuery = z.object({ since: timestamp.optional(), token: z.string().optional() });

const DOOR_ROLES: Array<'staff' | 'owner'> = ['staff', 'owner'];

export function doorRoutes(app: ZodApp, deps: AppDeps): void {
  // Checked before the body is parsed (onRequest): only door staff and the owner get any further.
  const doorStaff = authenticate(deps, DOOR_ROLES);

  // The door's wait, from the request's arrival to its answer (metrics: velvet_scan_duration_seconds).
  const timed = deps.metrics.enabled
    ? {
        onResponse: async (_request: unknown, reply: { elapsedTime: number }) =>
          deps.metrics.scanAnswered(reply.elapsedTime / 1000),
      }
    : {};
  app.post(
    '/api/v1/scans',
    {
      onRequest: doorStaff,
      ...timed,
      schema: {
        tags: ['door'],
        summary: 'Scan one code (or admit a ticket picked by name) at this door, now',
        security: STAFF,
        body: scanBody,
        headers: scanHeaders,
        response: { 200: scanResponse, ...errors(400, 401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const staff = requireRole(await callerOf(deps, request), DOOR_ROLES);
      const b = request.body;
      const headerKey = request.headers['x-idempotency-key'];
      if (headerKey !== undefined && b.nonce !== undefined && headerKey !== b.nonce) {
        throw new DomainError('invalid_request', 'X-Idempotency-Key and nonce differ; send one of them', {
          nonce: 'differs from X-Idempotency-Key',
        });
      }
      const { response, replayed } = await scanTicket(deps, {
        qr: b.qr ?? null,
        ticketId: b.ticket_id ?? null,
        scannerId: b.scanner_id,
        eventId: b.event_id,
        userId: staff.userId,
        nonce: headerKey ?? b.nonce ?? null,
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return response;
    },
  );

  // A scanner's whole offline queue: up to 1,000 scans of a few hundred bytes each.
  app.post(
    '/api/v1/scans/batch',
    {
      onRequest: doorStaff,
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['door'],
        summary: "Sync a scanner's offline queue: each scan decided at its own time, disagreements reported",
        security: STAFF,
        body: batchBody,
        response: { 200: batchResponse, ...errors(400, 401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      const staff = requireRole(await callerOf(deps, request), DOOR_ROLES);
      const b = request.body;
      const results = await syncOfflineScans(deps, {
        scannerId: b.scanner_id,
        eventId: b.event_id,
        userId: staff.userId,
        scans: b.scans.map((s) => ({
          qr: s.qr ?? null,
          ticketId: s.ticket_id ?? null,
          scannedAt: s.scanned_at,
          offlineResult: s.offline_result,
          nonce: s.nonce ?? null,
        })),
      });
      return { results, conflicts: results.filter((r) => r.conflict || r.displaced_entry).length };
    },
  );

  app.get(
    '/api/v1/events/:id/scanner-cache',
    {
      onRequest: doorStaff,
      schema: {
        tags: ['door'],
        summary: 'The scanner cache: everything a door needs to decide offline (or what changed since)',
        security: STAFF_OR_QUERY,
        params: idParams,
        querystring: cacheQuery,
        response: { 200: scannerCache, ...errors(400, 401, 403, 404, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const cache = await getScannerCache(deps, request.params.id, request.query.since ?? null);
      // gzip when the scanner accepts it: ~20 bytes a ticket instead of ~200 (BENCHMARKS.md).
      return reply
        .header('cache-control', 'private, no-store')
        .type('application/json; charset=utf-8')
        .compress(JSON.stringify(cache));
    },
  );
}
