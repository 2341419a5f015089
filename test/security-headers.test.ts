import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild } from '../src/web/web-build.js';
import { startTestApp, type TestContext } from './support/harness.js';
import { localPayments } from '../src/payments/local.js';

// Security headers on every answer: a tight CSP on the API, the web app's own on its pages, and
// no Referer ever (a manage link in a URL must not leak to another site).
let ctx: TestContext;
let stripeCtx: TestContext;
beforeAll(async () => {
  const webRoot = await ensureWebBuild();
  ctx = await startTestApp({ webRoot });
  stripeCtx = await startTestApp({ webRoot, payments: { ...localPayments, name: 'stripe' } });
}, 120_000);
afterAll(async () => {
  await ctx.close();
  await stripeCtx.close();
});

const csp = (h: Record<string, unknown>) => String(h['content-security-policy'] ?? '');

describe('security headers', () => {
  it('the API: nothing may load from it or frame it; nosniff; no referrer', async () => {
    for (const url of ['/api/v1/events', '/healthz', '/api/v1/nope', '/api/v1/openapi.json']) {
      const res = await ctx.app.inject({ url });
      expect(csp(res.headers), url).toBe(
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
  });

  it('the pages: only Velvet itself (wasm allowed to compile), nobody frames them, the camera only for us', async () => {
    for (const url of ['/door', '/', '/events/6f1b7d36-1c44-4c16-9d3c-1f6c8f7e2a11/floor', '/sw.js', '/no-such-page']) {
      const res = await ctx.app.inject({ url, headers: { accept: 'text/html' } });
      const policy = csp(res.headers);
      expect(policy, url).toContain("default-src 'self'");
      expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).not.toMatch(/unsafe-inline|stripe/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['permissions-policy']).toContain('camera=(self)');
    }
  });

  it("with the Stripe provider, Stripe's hosts are allowed for its Payment Element, and only those", async () => {
    const res = await stripeCtx.app.inject({ url: '/door', headers: { accept: 'text/html' } });
    const policy = csp(res.headers);
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com");
    expect(policy).toContain('frame-src https://js.stripe.com https://hooks.stripe.com');
    expect(policy).toContain("connect-src 'self' https://api.stripe.com");
  });
});
