import { z } from 'zod';
import { login } from '../services/accounts/accounts.service.js';
import type { AppDeps } from '../services/deps.js';
import type { ZodApp } from './routes.types.js';

export function healthRoutes(app: ZodApp, deps: AppDeps): void {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) }) } } },
    async () => ({ status: 'ok' as const, database: deps.database.kind }),
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { rateLimit: { max: deps.config.loginAttemptsPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['accounts'],
        body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1000) }),
        response: { 200: z.object({ token: z.string(), role: z.enum(['owner', 'staff']), expires_at: z.string() }) },
      },
    },
    async (request) => login(deps, request.body),
  );
}
