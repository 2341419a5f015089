import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';

type Directives = Record<string, string[]>;

/** API answers are data, never documents: nothing may load from them, nothing may frame them. */
export const API_CSP: Directives = {
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/**
 * The web app loads everything from Velvet itself (scripts, styles, fonts, the barcode reader's
 * wasm), talks only to Velvet, and is framed by nobody. `'wasm-unsafe-eval'` lets the ZXing
 * WebAssembly compile (it allows wasm only, not JavaScript eval). With the Stripe provider,
 * Stripe's own hosts are added for its Payment Element.
 */
export function pageCsp(opts: { stripe: boolean }): Directives {
  const stripe = opts.stripe;
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'", ...(stripe ? ['https://js.stripe.com'] : [])],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:', ...(stripe ? ['https://*.stripe.com'] : [])],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...(stripe ? ['https://api.stripe.com'] : [])],
    'frame-src': stripe ? ['https://js.stripe.com', 'https://hooks.stripe.com'] : ["'none'"],
    'media-src': ["'self'", 'blob:'],
    'worker-src': ["'self'"],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
}

const serialize = (d: Directives) =>
  Object.entries(d)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');

const isApi = (request: FastifyRequest) => request.url.startsWith('/api/') || request.url.startsWith('/healthz');

/**
 * Security headers on every answer (`@fastify/helmet`: nosniff, frame and referrer policies,
 * cross-origin isolation headers…), `Referrer-Policy: no-referrer` so a manage link never leaks in
 * a Referer, and a Content-Security-Policy per kind of answer: the tight API policy, or the page
 * policy for the web app (its documents, and sw.js, whose policy governs the service worker).
 */
export async function installSecurityHeaders(app: FastifyInstance, opts: { stripe: boolean }): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    // The camera, the keyboard scanner and Stripe's iframe need nothing cross-origin from us.
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // Set below, and only on answers that went over HTTPS: over plain HTTP it means nothing, and
    // a Velvet on a LAN without a certificate must stay reachable.
    strictTransportSecurity: false,
  });
  const api = serialize(API_CSP);
  const page = serialize(pageCsp(opts));
  app.addHook('onRequest', async (request, reply) => {
    reply.header('content-security-policy', isApi(request) ? api : page);
    // The door page asks for the camera; nothing else may.
    reply.header(
      'permissions-policy',
      'camera=(self), microphone=(), geolocation=(), payment=(self "https://js.stripe.com")',
    );
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
  });
}
