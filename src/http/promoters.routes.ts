import { z } from 'zod';
import type { AppDeps } from '../services/deps.js';
import { addPromoter, eventPromoters, readPromoters } from '../services/promoters/promoters.service.js';
import { authenticate, callerOf, requireRole } from './auth.js';
import { ALWAYS, errors, eventPromotersView, promoterList, promoterView } from './responses.js';
import { idParams, text } from './schemas.js';
import { OWNER } from './security.js';
import type { ZodApp } from './routes.types.js';

const addBody = z.object({
  name: text(100),
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{1,31}$/, '2 to 32 letters, digits or dashes, starting with a letter or digit'),
});

/** API.md "Promoters": the owner's; buyers only ever send a code with their order. */
export function promoterRoutes(app: ZodApp, deps: AppDeps): void {
  const ownerOnly = authenticate(deps, ['owner']);

  app.get(
    '/api/v1/promoters',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['people'],
        summary: 'The promoters and their link codes',
        security: OWNER,
        response: { 200: promoterList, ...errors(401, 403, ...ALWAYS) },
      },
    },
    async () => readPromoters(deps),
  );

  app.post(
    '/api/v1/promoters',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['people'],
        summary: 'A promoter, with the code their links carry (`/e/:id?p=CODE`)',
        security: OWNER,
        body: addBody,
        response: { 201: promoterView, ...errors(400, 401, 403, 409, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const owner = requireRole(await callerOf(deps, request), ['owner']);
      return reply.status(201).send(await addPromoter(deps, owner.userId, request.body));
    },
  );

  app.get(
    '/api/v1/events/:id/promoters',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['orders'],
        summary: 'Per promoter for one night: orders, tickets, tables, revenue, refunds and their buyers admitted',
        security: OWNER,
        params: idParams,
        response: { 200: eventPromotersView, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => eventPromoters(deps, request.params.id),
  );
}
