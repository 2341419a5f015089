import { z } from 'zod';
import type { AppDeps } from '../services/deps.js';
import { cancelEvent } from '../services/events/cancel-event.service.js';
import { previewCancellation } from '../services/events/cancellation-preview.service.js';
import { listRefunds } from '../services/refunds/list-refunds.service.js';
import { retryFailedRefunds } from '../services/refunds/retry-refunds.service.js';
import { authenticate } from './auth.js';
import { idParams, token } from './schemas.js';
import type { ZodApp } from './routes.types.js';
import { ALWAYS, cancellationPreview, cancelOutcome, errors, refundsView } from './responses.js';
import { OWNER } from './security.js';

const cancelBody = z.object({ confirmation_token: token(200) });

/** The owner cancels an event before it starts: preview, approve, watch the refunds (API.md). */
export function cancellationRoutes(app: ZodApp, deps: AppDeps): void {
  // Owner only, checked before the body is parsed (the route handlers rely on it).
  const ownerOnly = authenticate(deps, ['owner']);

  app.get(
    '/api/v1/events/:id/cancellation',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['cancellation'],
        summary: 'Preview a cancellation: refund total, orders, tickets, reservations, and the confirmation token',
        security: OWNER,
        params: idParams,
        response: { 200: cancellationPreview, ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      return previewCancellation(deps, request.params.id);
    },
  );

  app.post(
    '/api/v1/events/:id/cancel',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['cancellation'],
        summary: 'Cancel the event (before it starts): every paid order refunded in full through the outbox',
        security: OWNER,
        params: idParams,
        body: cancelBody,
        response: { 202: cancelOutcome, ...errors(400, 401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const result = await cancelEvent(deps, request.params.id, request.body.confirmation_token);
      // 202: the event is cancelled now; the refunds themselves are paid out by the worker.
      return reply.status(202).send(result);
    },
  );

  app.get(
    '/api/v1/events/:id/refunds',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['cancellation'],
        summary: "The event's refunds: counts and each refund's status",
        security: OWNER,
        params: idParams,
        response: { 200: refundsView, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      return listRefunds(deps, request.params.id);
    },
  );

  app.post(
    '/api/v1/events/:id/refunds/retry',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['cancellation'],
        summary:
          "Send the event's failed refunds again (a new round of each idempotency key; a charge already refunded is never paid twice)",
        security: OWNER,
        params: idParams,
        response: { 200: refundsView.extend({ requeued: z.int() }), ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      return retryFailedRefunds(deps, request.params.id);
    },
  );
}
