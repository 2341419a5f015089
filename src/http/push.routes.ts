import { z } from 'zod';
import { findReservation } from '../db/repos/reservations.repo.js';
import type { AppDeps } from '../services/deps.js';
import { subscribeHost, unsubscribeHost } from '../services/push/host-subscriptions.service.js';
import { authenticate, callerOf, requireOrderAccess, screenOrderCaller } from './auth.js';
import { idParams, token } from './schemas.js';
import type { ZodApp } from './routes.types.js';
import { ALWAYS, errors, pushPublicKey, pushSubscriptionState } from './responses.js';
import { BUYER, PUBLIC } from './security.js';
import type { FastifyRequest } from 'fastify';

// What PushSubscription.toJSON() gives; the keys are base64url (65 and 16 bytes).
// Printable only: a URL never holds control characters (and PostgreSQL text cannot hold NUL).
const endpoint = token(2000);
const subscriptionBody = z.object({
  endpoint,
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, 'a P-256 public key, base64url'),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,40}={0,2}$/, 'an auth secret, base64url'),
  }),
  expirationTime: z.number().nullable().optional(),
});
const unsubscribeBody = z.object({ endpoint });

/** API.md "Host notifications": the VIP host's devices are told when each guest arrives (Web Push). */
export function pushRoutes(app: ZodApp, deps: AppDeps): void {
  const withToken = authenticate(deps);
  // Only the token of the order that bought the table: these are the host's own devices.
  const hostOnly = async (request: FastifyRequest, reservationId: string) => {
    const caller = await callerOf(deps, request);
    screenOrderCaller(caller, { ownerToo: false });
    const reservation = await findReservation(deps.database.db, reservationId);
    requireOrderAccess(caller, reservation?.orderId ?? null, { ownerToo: false }, 'reservation');
  };

  app.get(
    '/api/v1/push/public-key',
    {
      schema: {
        tags: ['guest list'],
        summary: "The key browsers subscribe to Velvet's notifications with (VAPID)",
        security: PUBLIC,
        response: { 200: pushPublicKey, ...errors(...ALWAYS) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=3600');
      return { public_key: deps.keys.vapid.publicKey };
    },
  );

  app.put(
    '/api/v1/reservations/:id/push-subscription',
    {
      onRequest: withToken,
      schema: {
        tags: ['guest list'],
        summary: "The host's device asks to be told when each guest arrives (a PushSubscription's JSON)",
        security: BUYER,
        params: idParams,
        body: subscriptionBody,
        response: { 200: pushSubscriptionState, ...errors(400, 401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      await hostOnly(request, request.params.id);
      const b = request.body;
      return subscribeHost(deps, request.params.id, { endpoint: b.endpoint, p256dh: b.keys.p256dh, auth: b.keys.auth });
    },
  );

  app.delete(
    '/api/v1/reservations/:id/push-subscription',
    {
      onRequest: withToken,
      schema: {
        tags: ['guest list'],
        summary: 'This device is no longer told when guests arrive (idempotent)',
        security: BUYER,
        params: idParams,
        body: unsubscribeBody,
        response: { 200: pushSubscriptionState, ...errors(400, 401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      await hostOnly(request, request.params.id);
      return unsubscribeHost(deps, request.params.id, request.body.endpoint);
    },
  );
}
