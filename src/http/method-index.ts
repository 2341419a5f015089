import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.js';

/**
 * Which methods each API path takes, learnt as routes are added: a request for a known path with
 * a method it does not take is `405 method_not_allowed` with an `Allow` header (RFC 9110), not a
 * 404 that says the path does not exist. Patterns become regular expressions once (`:id` matches
 * one path segment; wildcards are left out: they are the pages', not the API's).
 */
export class MethodIndex {
  private readonly routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api/') || route.url.includes('*')) return;
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toUpperCase());
      let entry = this.routes.get(route.url);
      if (!entry) {
        const source = route.url
          .split('/')
          .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
          .join('/');
        this.routes.set(route.url, (entry = { pattern: new RegExp(`^${source}$`), methods: new Set() }));
      }
      for (const m of methods) entry.methods.add(m);
      // Fastify answers HEAD for every GET route.
      if (entry.methods.has('GET')) entry.methods.add('HEAD');
    });
  }

  /** The methods the request's path takes, or null when no API route has that path. */
  allowed(path: string): string[] | null {
    const methods = new Set<string>();
    for (const { pattern, methods: ms } of this.routes.values())
      if (pattern.test(path)) for (const m of ms) methods.add(m);
    return methods.size ? [...methods].sort() : null;
  }

  /** Answers 405 when the path is known under other methods; false when the caller should answer 404. */
  refuse(request: FastifyRequest, reply: FastifyReply): boolean {
    const path = request.url.split('?')[0]!;
    const allowed = this.allowed(path);
    if (!allowed || allowed.includes(request.method)) return false;
    void reply
      .status(405)
      .header('allow', allowed.join(', '))
      .send(
        errorBody('method_not_allowed', `${path} does not take ${request.method}; it takes ${allowed.join(', ')}`, {
          allow: allowed,
        }),
      );
    return true;
  }
}
