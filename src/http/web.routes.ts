import type { MethodIndex } from './method-index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../services/deps.js';
import { errorBody } from './errors.js';
import type { ZodApp } from './routes.types.js';

/** The pages of the web app; each answers the same index.html and the app routes on the client. */
export const PAGE_ROUTES = [
  '/door',
  '/events/:id/floor',
  '/admin',
  '/admin/*',
  '/e/:id',
  '/orders/:id',
  '/tickets/:id',
  '/i/:code',
] as const;

const IMMUTABLE = 'public, max-age=31536000, immutable';
// The shell and the service worker must be revalidated on every load, or a deploy never arrives.
const REVALIDATE = 'no-cache';

/** Browsers ask for HTML; API clients (curl, scripts) keep getting JSON. */
const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

/**
 * `GET /` and the web app. With a build (`dist/web`, see src/web/web-build.ts): hashed files under
 * `/assets/` cached for a year, everything else (index.html, sw.js, the manifest, icons)
 * revalidated, pre-compressed copies (.br/.gz) when the browser accepts them, and every page path
 * answering index.html. Without one (tests of the API alone), `GET /` lists the API's entry points.
 */
export function webRoutes(root: string | null, methods?: MethodIndex) {
  return async (app: ZodApp, deps: AppDeps): Promise<void> => {
    const index = {
      name: 'Velvet',
      health: '/healthz',
      openapi: '/api/v1/openapi.json',
      test_mode: deps.payments.name === 'local',
    };
    if (!root) {
      app.get('/', { schema: { hide: true } }, async () => index);
      return;
    }
    const indexHtml = readFileSync(join(root, 'index.html'));
    const page = (reply: FastifyReply) =>
      reply.header('cache-control', REVALIDATE).type('text/html; charset=utf-8').send(indexHtml);
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      index: false,
      wildcard: false,
      preCompressed: true,
      cacheControl: false,
      globIgnore: ['**/.velvet-source-hash', '**/*.gz', '**/*.br', 'index.html'],
      setHeaders: (reply: FastifyReply, path: string) => {
        reply.header('cache-control', path.includes('/assets/') ? IMMUTABLE : REVALIDATE);
      },
    });
    app.get('/', { schema: { hide: true } }, async (request, reply) => (wantsHtml(request) ? page(reply) : index));
    // The service worker precaches /index.html and serves it for every page when offline.
    for (const path of [...PAGE_ROUTES, '/index.html'])
      app.get(path, { schema: { hide: true } }, async (_request, reply) => page(reply));
    // A mistyped link in a browser gets the app's own "not found" page; the API keeps its JSON 404.
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      if (methods?.refuse(request, reply)) return reply;
      if (request.url.startsWith('/api/') || !wantsHtml(request)) {
        return reply.status(404).send(errorBody('not_found', `No route for GET ${request.url.split('?')[0]}`));
      }
      return page(reply.status(404));
    });
  };
}
