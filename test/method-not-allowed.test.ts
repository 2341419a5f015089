import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild } from '../src/web/web-build.js';
import { bearer, createEvent, startTestApp, type TestContext } from './support/harness.js';

let api: TestContext;
let withPages: TestContext;
beforeAll(async () => {
  api = await startTestApp();
  withPages = await startTestApp({ webRoot: await ensureWebBuild() });
}, 120_000);
afterAll(async () => {
  await api?.close();
  await withPages?.close();
});

describe('a known path with a method it does not take', () => {
  it('answers 405 with Allow (RFC 9110), in the documented error shape; an unknown path stays 404', async () => {
    for (const ctx of [api, withPages]) {
      const event = await createEvent(ctx);
      const del = await ctx.app.inject({
        method: 'DELETE',
        url: `/api/v1/events/${event.id}`,
        headers: bearer(ctx.ownerToken),
      });
      expect(del.statusCode).toBe(405);
      expect(del.headers.allow).toBe('GET, HEAD, PATCH');
      expect(del.json().error).toMatchObject({
        code: 'method_not_allowed',
        details: { allow: ['GET', 'HEAD', 'PATCH'] },
      });
      // The pages' catch-all takes every GET: the API's own paths still say which methods they take.
      const get = await ctx.app.inject({ method: 'GET', url: '/api/v1/scans', headers: { accept: 'text/html' } });
      expect(get.statusCode).toBe(405);
      expect(get.headers.allow).toBe('POST');
      const unknown = await ctx.app.inject({ method: 'DELETE', url: '/api/v1/nothing-here' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.code).toBe('not_found');
      // Nothing changed: the event is still there.
      expect((await ctx.app.inject({ url: `/api/v1/events/${event.id}` })).statusCode).toBe(200);
    }
  });
});
