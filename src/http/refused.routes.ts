import { z } from 'zod';
import type { AppDeps } from '../services/deps.js';
import { addRefused, readRefusedList, removeRefused } from '../services/refused/refused-list.service.js';
import { authenticate, callerOf, requireRole } from './auth.js';
import { ALWAYS, errors, refusedEntry, refusedList } from './responses.js';
import { idParams, text } from './schemas.js';
import { OWNER } from './security.js';
import type { ZodApp } from './routes.types.js';

const addBody = z.object({
  name: text(100, 0).optional(),
  email: z.union([z.email().max(320), z.literal('')]).optional(),
  reason: text(500),
});

/** API.md "The refused list": the owner's alone; staff see its effect at the door, never the list. */
export function refusedRoutes(app: ZodApp, deps: AppDeps): void {
  const ownerOnly = authenticate(deps, ['owner']);

  app.get(
    '/api/v1/refused',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['people'],
        summary: "The venue's refused list, with who added and removed each entry",
        security: OWNER,
        response: { 200: refusedList, ...errors(401, 403, ...ALWAYS) },
      },
    },
    async () => readRefusedList(deps),
  );

  app.post(
    '/api/v1/refused',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['people'],
        summary:
          'Refuse someone at every door from now on (by name and/or e-mail, with why); a listed e-mail cannot buy',
        security: OWNER,
        body: addBody,
        response: { 201: refusedEntry, ...errors(400, 401, 403, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const owner = requireRole(await callerOf(deps, request), ['owner']);
      const b = request.body;
      return reply
        .status(201)
        .send(await addRefused(deps, owner.userId, { name: b.name ?? '', email: b.email ?? '', reason: b.reason }));
    },
  );

  app.delete(
    '/api/v1/refused/:id',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['people'],
        summary: 'Take someone off the refused list (the entry stays, with who removed it and when)',
        security: OWNER,
        params: idParams,
        response: { 200: refusedEntry, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      const owner = requireRole(await callerOf(deps, request), ['owner']);
      return removeRefused(deps, owner.userId, request.params.id);
    },
  );
}
