import { z } from 'zod';
import { scanResults } from '../domain/check-in.js';
import { DomainError } from '../domain/errors.js';
import type { AppDeps } from '../services/deps.js';
import { getScannerCache } from '../services/door/scanner-cache.service.js';
import { scanTicket } from '../services/door/scan-ticket.service.js';
import { syncOfflineScans } from '../services/door/sync-offline-scans.service.js';
import { authenticate, callerOf, requireRole } from './auth.js';
import { id, idParams, timestamp } from './schemas.js';
import type { ZodApp } from './routes.types.js';

// Whatever a camera read is logged as an attempt (`invalid_code`), so only absurd sizes are bad input.
const qr = z.string().min(1).max(4096);
const scannerId = z.string().trim().min(1).max(100);
const nonce = z.string().min(1).max(200);

const scanBody = z.object({ qr, scanner_id: scannerId, event_id: id.optional(), nonce: nonce.optional() });
const scanHeaders = z.looseObject({ 'x-idempotency-key': nonce.optional() });

const batchBody = z.object({
  scanner_id: scannerId,
  event_id: id.optional(),
  scans: z
    .array(z.object({ qr, scanned_at: timestamp, offline_result: z.enum(scanResults) }))
    .min(1)
    .max(1000),
});

const cacheQuery = z.object({ since: timestamp.optional(), token: z.string().optional() });

const DOOR_ROLES: Array<'staff' | 'owner'> = ['staff', 'owner'];

export function doorRoutes(app: ZodApp, deps: AppDeps): void {
  // Checked before the body is parsed (onRequest): only door staff and the owner get any further.
  const doorStaff = authenticate(deps, DOOR_ROLES);

  app.post('/api/v1/scans', { onRequest: doorStaff, schema: { tags: ['door'], body: scanBody, headers: scanHeaders } }, async (request, reply) => {
    const staff = requireRole(await callerOf(deps, request), DOOR_ROLES);
    const b = request.body;
    const headerKey = request.headers['x-idempotency-key'];
    if (headerKey !== undefined && b.nonce !== undefined && headerKey !== b.nonce) {
      throw new DomainError('invalid_request', 'X-Idempotency-Key and nonce differ; send one of them', { nonce: 'differs from X-Idempotency-Key' });
    }
    const { response, replayed } = await scanTicket(deps, {
      qr: b.qr,
      scannerId: b.scanner_id,
      eventId: b.event_id ?? null,
      userId: staff.userId,
      nonce: headerKey ?? b.nonce ?? null,
    });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return response;
  });

  app.post('/api/v1/scans/batch', { onRequest: doorStaff, schema: { tags: ['door'], body: batchBody } }, async (request) => {
    const staff = requireRole(await callerOf(deps, request), DOOR_ROLES);
    const b = request.body;
    const results = await syncOfflineScans(deps, {
      scannerId: b.scanner_id,
      eventId: b.event_id ?? null,
      userId: staff.userId,
      scans: b.scans.map((s) => ({ qr: s.qr, scannedAt: s.scanned_at, offlineResult: s.offline_result })),
    });
    return { results, conflicts: results.filter((r) => r.conflict).length };
  });

  app.get(
    '/api/v1/events/:id/scanner-cache',
    { onRequest: doorStaff, schema: { tags: ['door'], params: idParams, querystring: cacheQuery } },
    async (request, reply) => {
      const cache = await getScannerCache(deps, request.params.id, request.query.since ?? null);
      return reply.header('cache-control', 'private, no-store').send(cache);
    },
  );
}
