import { z } from 'zod';
import { login } from '../services/accounts/accounts.service.js';
import type { AppDeps } from '../services/deps.js';
import { ALWAYS, errors, loginResponse, clientConfig } from './responses.js';
import { text } from './schemas.js';
import { clientNetwork } from './client-address.js';
import { PUBLIC } from './security.js';
import type { ZodApp } from './routes.types.js';

const HEALTH_TIMEOUT_MS = 2_000;

export function healthRoutes(app: ZodApp, deps: AppDeps): void {
  // For load balancers and operators: 200 only when this instance can reach its database now.
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability',
        security: PUBLIC,
        response: {
          200: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) }),
          503: z.object({
            status: z.literal('unavailable'),
            database: z.enum(['pglite', 'postgres']),
            problem: z.string(),
          }),
        },
      },
    },
    async (_request, reply) => {
      try {
        await deps.database.ping(HEALTH_TIMEOUT_MS);
        return { status: 'ok' as const, database: deps.database.kind };
      } catch (err) {
        return reply
          .status(503)
          .header('retry-after', '2')
          .send({
            status: 'unavailable' as const,
            database: deps.database.kind,
            problem: `the ${deps.database.kind} database cannot be reached: ${(err as Error).message}`,
          });
      }
    },
  );

  // What the pages need to know before a buyer pays: how, and Stripe's publishable (public) key.
  app.get(
    '/api/v1/config',
    {
      schema: {
        tags: ['health'],
        summary:
          "What the web pages need: how payments are taken (provider, test mode, Stripe's publishable key), which wallet passes are offered, and the venue's time zone",
        security: PUBLIC,
        response: {
          200: clientConfig,
          ...errors(...ALWAYS),
        },
      },
    },
    async () => {
      const p = deps.config.payments;
      return {
        payment_provider: p.provider,
        test_mode: p.provider === 'local' || p.publishableKey.startsWith('pk_test_'),
        stripe_publishable_key: p.provider === 'stripe' ? p.publishableKey : null,
        wallets: { apple: deps.wallets.apple !== null, google: deps.wallets.google !== null },
        time_zone: deps.config.timeZone,
      };
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: {
        rateLimit: {
          max: deps.config.loginAttemptsPerMinute,
          timeWindow: 60_000,
          keyGenerator: (r: { ip: string }) => `login:${clientNetwork(r.ip)}`,
        },
      },
      schema: {
        tags: ['accounts'],
        summary: 'Log in (owner or staff) for an expiring token',
        security: PUBLIC,
        body: z.object({ email: text(320), password: z.string().min(1).max(1000) }),
        response: { 200: loginResponse, ...errors(400, 401, 429, ...ALWAYS) },
      },
    },
    async (request) => login(deps, request.body),
  );
}
