import { z } from 'zod';
import type { AppDeps } from '../services/deps.js';
import { addUser, MIN_PASSWORD } from '../services/accounts/accounts.service.js';
import { accountView, changeAccount, listAccounts } from '../services/accounts/manage-accounts.service.js';
import { authenticate, callerOf, requireRole } from './auth.js';
import { ALWAYS, errors, userAccount } from './responses.js';
import type { ZodApp } from './routes.types.js';
import { idParams, text } from './schemas.js';
import { OWNER } from './security.js';

/** A new or reset password: the same minimum the accounts service checks, so the document says it too. */
const password = z.string().min(MIN_PASSWORD, `needs at least ${MIN_PASSWORD} characters`).max(1000);

/** Owner and staff accounts, managed by an owner from the dashboard while Velvet runs. */
export function accountRoutes(app: ZodApp, deps: AppDeps): void {
  const owner = authenticate(deps, ['owner']);

  app.get(
    '/api/v1/users',
    {
      onRequest: owner,
      schema: {
        tags: ['accounts'],
        summary: 'Every owner and staff account',
        security: OWNER,
        response: { 200: z.object({ users: z.array(userAccount) }), ...errors(401, 403, ...ALWAYS) },
      },
    },
    async () => ({
      users: await listAccounts(deps),
    }),
  );

  app.post(
    '/api/v1/users',
    {
      onRequest: owner,
      schema: {
        tags: ['accounts'],
        summary: 'Add an owner or staff account (it can log in at once)',
        security: OWNER,
        body: z.object({ email: text(320), password, role: z.enum(['owner', 'staff']), name: text(100, 0).optional() }),
        response: { 201: userAccount, ...errors(400, 401, 403, 409, ...ALWAYS) },
      },
    },
    async (request, reply) => reply.status(201).send(accountView(await addUser(deps, request.body))),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      onRequest: owner,
      schema: {
        tags: ['accounts'],
        summary:
          'Rename, disable or enable an account, or reset its password (disabling and resetting end its open logins)',
        security: OWNER,
        params: idParams,
        body: z.object({
          name: text(100, 0).optional(),
          disabled: z.boolean().optional(),
          password: password.optional(),
        }),
        response: { 200: userAccount, ...errors(400, 401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      const actor = requireRole(await callerOf(deps, request), ['owner']);
      return changeAccount(deps, actor.userId, request.params.id, request.body);
    },
  );
}
