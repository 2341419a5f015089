import { DoorFiguresFeed } from '../realtime/door-figures-feed.js';
import { readDoorFigures } from '../services/events/event-summary.service.js';
import { pushRoutes } from './push.routes.js';
import { refusedRoutes } from './refused.routes.js';
import { promoterRoutes } from './promoters.routes.js';
import compress from '@fastify/compress';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../services/deps.js';
import { doorRoutes } from './door.routes.js';
import { installErrorHandling } from './errors.js';
import { oneMediaTypePerStatus } from './openapi-media.js';
import { MethodIndex } from './method-index.js';
import { DEFAULT_BODY_LIMIT, installJsonParser } from './json-body.js';
import { fastifyTrustProxy } from './trust-proxy.js';
import { installSecurityHeaders } from './security-headers.js';
import { eventRoutes } from './events.routes.js';
import { eventDetailsRoutes } from './event-details.routes.js';
import { guestRoutes } from './guests.routes.js';
import { transferRoutes } from './transfers.routes.js';
import { walletRoutes } from './wallet.routes.js';
import { passkitRoutes } from './passkit.routes.js';
import { waitlistRoutes } from './waitlist.routes.js';
import { healthRoutes } from './health.routes.js';
import { orderRoutes } from './orders.routes.js';
import { FloorFeed } from '../realtime/floor-feed.js';
import { floorStreamRoutes } from './floor-stream.routes.js';
import { accountRoutes } from './accounts.routes.js';
import { orderAdminRoutes } from './order-admin.routes.js';
import { stripeWebhookRoutes } from './stripe-webhook.routes.js';
import { cancellationRoutes } from './cancellation.routes.js';
import { webRoutes } from './web.routes.js';
import { metricsRoutes } from './metrics.routes.js';

export type RouteModule = (app: import('./routes.types.js').ZodApp, deps: AppDeps) => void;

/** The whole HTTP API on one Fastify instance; `extraRoutes` lets later modules plug in. */
export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  extraRoutes?: RouteModule[];
  /** The built web app (`dist/web`) to serve at `/`; without it only the API is served. */
  webRoot?: string | null;
}

export async function buildApp(deps: AppDeps, opts: AppOptions = {}) {
  // A request must arrive whole within 30 s (Node allows 5 minutes): a client trickling bytes holds a
  // connection no longer than that. Streams are long answers, not long requests.
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: DEFAULT_BODY_LIMIT,
    requestTimeout: 30_000,
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  installJsonParser(app);
  // Response schemas document the API (and type-check the handlers); answers are sent as built,
  // not re-validated on every request (the door's scan is a hot path). The contract test checks
  // real answers against the document instead.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const methods = new MethodIndex();
  installErrorHandling(app, methods);
  // Every answer counted by status (metrics.ts): 503s tell an operator the database is away.
  if (deps.metrics.enabled)
    app.addHook('onResponse', async (_request, reply) => deps.metrics.answered(reply.statusCode));
  await installSecurityHeaders(app, { stripe: deps.payments.name === 'stripe' });
  // Off by default; the routes that guard a guessable secret (login, invite codes) opt in.
  await app.register(rateLimit, { global: false });
  // Off by default too: large answers opt in with reply.compress (the scanner cache: a door's
  // 20,000 tickets over a phone's connection). Small JSON answers are cheaper sent as they are.
  await app.register(compress, { global: false, encodings: ['gzip', 'deflate'] });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Velvet API',
        version: '1.0.0',
        description:
          'Tickets, VIP tables and the door. The contract, with every rule and error code: docs/api.md in the repository. Errors are `{"error": {"code", "message", "details"?}}`; times are ISO-8601 UTC; money is integer cents with a currency.',
      },
      // Relative: the document is served by the instance it describes, under whatever name it has.
      servers: [{ url: '/', description: 'The Velvet instance serving this document' }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: "A staff/owner login token (POST /api/v1/auth/login) or an order's manage token",
          },
          queryToken: {
            type: 'apiKey',
            in: 'query',
            name: 'token',
            description: 'The same token as ?token=, for URLs a browser opens without headers (SSE, images)',
          },
          applePass: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: "Apple Wallet's web service: `ApplePass <the pass's authenticationToken>`",
          },
        },
      },
    },
    transform: (args) => {
      const out = jsonSchemaTransform(args);
      // Client generators name their functions by operationId: one per operation, made from its
      // method and path so it never drifts from the route (GET /api/v1/events/:id/summary →
      // getEventsIdSummary).
      return { ...out, schema: { operationId: operationIdOf(args.route.method, args.url), ...out.schema } };
    },
    transformObject: (doc) => ('openapiObject' in doc ? oneMediaTypePerStatus(doc.openapiObject) : doc.swaggerObject),
  });
  const feed = new FloorFeed(deps.database, (err) => app.log.error({ err }, 'floor feed'));
  app.addHook('onClose', () => feed.close());
  const figures = new DoorFiguresFeed(
    (eventId) => readDoorFigures(deps.database.db, eventId),
    (err) => app.log.warn({ err }, 'door figures'),
  );
  app.addHook('onClose', async () => figures.stop());
  const modules = [
    healthRoutes,
    accountRoutes,
    eventRoutes,
    eventDetailsRoutes,
    orderRoutes,
    orderAdminRoutes,
    guestRoutes,
    transferRoutes,
    walletRoutes,
    passkitRoutes,
    waitlistRoutes,
    pushRoutes,
    refusedRoutes,
    promoterRoutes,
    doorRoutes,
    floorStreamRoutes(feed, figures),
    stripeWebhookRoutes,
    cancellationRoutes,
    metricsRoutes,
    ...(opts.extraRoutes ?? []),
  ];
  for (const routes of modules) {
    routes(app, deps);
  }
  await webRoutes(opts.webRoot ?? null, methods)(app, deps);
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

/** `DELETE /api/v1/reservations/:id/push-subscription` → `deleteReservationsIdPushSubscription`. */
export function operationIdOf(method: string | string[], url: string): string {
  const words = url
    .replace(/^\/api\/v1\//, '')
    .replace(/\.(\w+)$/, '-$1')
    .split(/[/_-]/)
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? w.slice(1) : w))
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return (Array.isArray(method) ? method[0]! : method).toLowerCase() + words.join('');
}
