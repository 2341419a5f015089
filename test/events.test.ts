import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/services/accounts/accounts.service.js';
import { completeDueEvents } from '../src/services/events/complete-event.service.js';
import { bearer, buyPaid, createEvent, placeOrder, startTestApp, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

describe('accounts', () => {
  it('logs in with the password set by user add and gets an expiring token', async () => {
    await addUser(ctx.deps, { email: 'Boss@Club.example', password: 'long enough', role: 'owner' });
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'boss@club.example', password: 'long enough' },
    });
    expect(res.statusCode).toBe(200);
    const { token, role, expires_at } = res.json();
    expect(role).toBe('owner');
    expect(Date.parse(expires_at) - ctx.clock.now().getTime()).toBe(12 * 3600 * 1000);

    const ok = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer(token),
      payload: (await import('./support/harness.js')).eventBody(),
    });
    expect(ok.statusCode).toBe(201);

    ctx.clock.advance(12 * 3600 * 1000);
    try {
      const expired = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: bearer(token),
        payload: {},
      });
      expect(expired.statusCode).toBe(401);
    } finally {
      ctx.clock.set('2030-06-01T12:00:00Z');
    }
  });

  it('stores only a salted scrypt hash', async () => {
    const user = await addUser(ctx.deps, { email: 'door@club.example', password: 'door password', role: 'staff' });
    expect(user.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(user.passwordHash).not.toContain('door password');
  });
});

describe('events', () => {
  it('creates an event with tiers and floor-plan tables, readable by anyone while scheduled', async () => {
    const event = await createEvent(ctx);
    expect(event.tables.map((t) => [t.number, t.tier])).toEqual([
      [1, 'Gold'],
      [2, 'Gold'],
      [3, 'Silver'],
    ]);
    const anon = await ctx.app.inject({ url: `/api/v1/events/${event.id}` });
    expect(anon.statusCode).toBe(200);
    expect(anon.json()).toMatchObject({
      status: 'scheduled',
      ga: { price_cents: 2000, capacity: 200, available: 200 },
    });
    expect(anon.json().ga.sold).toBeUndefined();
  });

  it('reschedules before the start, refuses after', async () => {
    const event = await createEvent(ctx);
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/events/${event.id}`,
      headers: bearer(ctx.ownerToken),
      payload: { starts_at: '2030-06-02T23:00:00Z', name: 'Later Friday' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'Later Friday',
      starts_at: '2030-06-02T23:00:00.000Z',
      ends_at: '2030-06-03T05:00:00.000Z',
    });
    ctx.clock.set('2030-06-02T23:00:00Z');
    try {
      const late = await ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/events/${event.id}`,
        headers: bearer(ctx.ownerToken),
        payload: { name: 'x' },
      });
      expect(late.statusCode).toBe(409);
      expect(late.json().error.code).toBe('event_started');
    } finally {
      ctx.clock.set('2030-06-01T12:00:00Z');
    }
  });

  it('completes at ends_at by itself: no-shows marked, holds released, nothing changes afterwards', async () => {
    const event = await createEvent(ctx, { name: 'Completion' });
    const [t1, t2] = event.tables;
    const noShow = await buyPaid(ctx, event.id, { table_id: t1!.id });
    const unpaid = await placeOrder(ctx, event.id, { table_id: t2!.id });
    ctx.clock.set('2030-06-03T04:59:59Z');
    try {
      // Only events whose end has passed are touched (other files' events are not ours to count).
      await completeDueEvents(ctx.deps);
      expect(
        (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json().status,
      ).toBe('scheduled');
      ctx.clock.set('2030-06-03T05:00:00Z');
      await completeDueEvents(ctx.deps);
      const ev = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json();
      expect(ev.status).toBe('completed');
      expect(ev.completed_at).toBe('2030-06-03T05:00:00.000Z');
      const vip = (
        await ctx.app.inject({ url: `/api/v1/orders/${noShow.order_id}`, headers: bearer(noShow.manage_token) })
      ).json();
      expect(vip.reservation).toMatchObject({ status: 'completed', no_show: true });
      const hold = (
        await ctx.app.inject({ url: `/api/v1/orders/${unpaid.order_id}`, headers: bearer(unpaid.manage_token) })
      ).json();
      expect(hold.status).toBe('expired');
      const floor = (
        await ctx.app.inject({ url: `/api/v1/events/${event.id}/floor-plan`, headers: bearer(ctx.ownerToken) })
      ).json();
      expect(floor.tables.map((t: { status: string }) => t.status)).toEqual(['completed', 'available', 'available']);
      // Ending again answers the same; new orders are refused.
      const end = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/end`,
        headers: bearer(ctx.ownerToken),
      });
      expect(end.statusCode).toBe(200);
      const order = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/orders`,
        payload: { email: 'a@b.cd', name: 'A', ga_quantity: 1 },
      });
      expect(order.json().error.code).toBe('event_ended');
    } finally {
      ctx.clock.set('2030-06-01T12:00:00Z');
    }
  });

  it('the owner ends a started event now', async () => {
    const event = await createEvent(ctx, { name: 'Early close' });
    ctx.clock.set('2030-06-03T01:00:00Z');
    try {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/end`,
        headers: bearer(ctx.ownerToken),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('completed');
    } finally {
      ctx.clock.set('2030-06-01T12:00:00Z');
    }
  });
});

describe('service surface', () => {
  it('points a browser at / to the health check and the API description', async () => {
    const res = await ctx.app.inject({ url: '/' });
    expect(res.json()).toEqual({
      name: 'Velvet',
      health: '/healthz',
      openapi: '/api/v1/openapi.json',
      test_mode: true,
    });
  });

  it('names its database at /healthz', async () => {
    const res = await ctx.app.inject({ url: '/healthz' });
    expect(res.json()).toEqual({ status: 'ok', database: ctx.database.kind });
  });

  it('serves OpenAPI generated from the request schemas', async () => {
    const res = await ctx.app.inject({ url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/events',
        '/api/v1/events/{id}/orders',
        '/api/v1/orders/{id}',
        '/api/v1/auth/login',
      ]),
    );
    const orderBody = doc.paths['/api/v1/events/{id}/orders'].post.requestBody.content['application/json'].schema;
    expect(orderBody.required).toEqual(expect.arrayContaining(['email', 'name', 'ga_quantity']));
    expect(orderBody.properties.ga_quantity).toMatchObject({ minimum: 1, maximum: 100 });
  });
});
