import { z } from 'zod';
import type { AppDeps } from '../services/deps.js';
import { cancelEvent } from '../services/events/cancel-event.service.js';
import { previewCancellation } from '../services/events/cancellation-preview.service.js';
import { listRefunds } from '../services/refunds/list-refunds.service.js';
import { authenticate } from './auth.js';
import { idParams, token } from './schemas.js';
import type { ZodApp } from './routes.types.js';

const cancelBody = z.object({ confirmation_token: token(200) });

/** The owner cancels an event before it starts: preview, approve, watch the refunds (API.md). */
export function cancellationRoutes(app: ZodApp, deps: AppDeps): void {
  // Owner only, checked before the body is parsed (the route handlers rely on it).
  const ownerOnly = authenticate(deps, ['owner']);

  app.get('/api/v1/events/:id/cancellation', { onRequest: ownerOnly, schema: { tags: ['cancellation'], params: idParams } }, async (request) => {
    return previewCancellation(deps, request.params.id);
  });

  app.post(
    '/api/v1/events/:id/cancel',
    { onRequest: ownerOnly, schema: { tags: ['cancellation'], params: idParams, body: cancelBody } },
    async (request, reply) => {
      const result = await cancelEvent(deps, request.params.id, request.body.confirmation_token);
      // 202: the event is cancelled now; the refunds themselves are paid out by the worker.
      return reply.status(202).send(result);
    },
  );

  app.get('/api/v1/events/:id/refunds', { onRequest: ownerOnly, schema: { tags: ['cancellation'], params: idParams } }, async (request) => {
    return listRefunds(deps, request.params.id);
  });
}
