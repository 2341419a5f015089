import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createEvent, placeOrder, startTestApp, type TestContext } from './support/harness.js';
import { SseReader } from './support/sse.js';
import { localPayments } from '../src/payments/local.js';

// Answers that once misled: each now says what happened.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

async function cancel(eventId: string) {
  const preview = (
    await ctx.app.inject({ url: `/api/v1/events/${eventId}/cancellation`, headers: bearer(ctx.ownerToken) })
  ).json();
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/cancel`,
    headers: bearer(ctx.ownerToken),
    payload: { confirmation_token: preview.confirmation_token },
  });
  expect(res.statusCode, res.body).toBe(202);
}

describe('honest answers', () => {
  it('paying an unpaid order of a cancelled event says the event was cancelled (not "your hold expired")', async () => {
    const event = await createEvent(ctx);
    const held = await placeOrder(ctx, event.id, { table_id: event.tables[0]!.id });
    await cancel(event.id);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${held.order_id}/pay-local`,
      headers: bearer(held.manage_token),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('event_cancelled');
  });

  it("a cancelled event's public page says cancelled, instead of 404", async () => {
    const event = await createEvent(ctx);
    await cancel(event.id);
    const res = await ctx.app.inject({ url: `/api/v1/events/${event.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: event.id, status: 'cancelled' });
    // Public fields only.
    expect(res.json().ga.sold).toBeUndefined();
  });

  it('an open floor-plan stream is told when the event is cancelled, with an `event` message', async () => {
    const event = await createEvent(ctx);
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    const stream = new SseReader(
      await fetch(`${base}/api/v1/events/${event.id}/floor-plan/stream?token=${ctx.staffToken}`, {
        signal: abort.signal,
      }),
    );
    expect((await stream.next()).event).toBe('snapshot');
    await cancel(event.id);
    const messages = [];
    for (let m = await stream.next(); ; m = await stream.next()) {
      messages.push(m);
      if (m.event === 'event') break;
    }
    expect(messages.at(-1)).toEqual({ event: 'event', data: { id: event.id, status: 'cancelled' } });
    abort.abort();
  });

  it('paying without a token says which token is needed', async () => {
    const event = await createEvent(ctx);
    const held = await placeOrder(ctx, event.id);
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/orders/${held.order_id}/pay-local` });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/manage token.*Authorization: Bearer/);
  });
});

describe('free orders', () => {
  it('an order with nothing to pay is confirmed at once, without asking the payment provider', async () => {
    let calls = 0;
    const provider = {
      ...localPayments,
      name: 'stripe' as const,
      createPayment: async () => (calls++, Promise.reject(new Error('Stripe refuses amount 0'))),
    };
    const free = await startTestApp({ payments: provider });
    try {
      const event = await createEvent(free, {
        ga: { price_cents: 0, capacity: 50 },
        tiers: [{ name: 'Gold', price_cents: 0, capacity: 4 }],
        tables: [{ number: 1, tier: 'Gold', x: 0, y: 0 }],
      });
      const res = await free.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/orders`,
        payload: { email: 'free@x.test', name: 'Free', ga_quantity: 2, table_id: event.tables[0]!.id },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ status: 'paid', amount_cents: 0 });
      const view = (
        await free.app.inject({
          url: `/api/v1/orders/${res.json().order_id}`,
          headers: bearer(res.json().manage_token),
        })
      ).json();
      expect(view.tickets.map((t: { status: string; qr: string | null }) => [t.status, Boolean(t.qr)])).toEqual([
        ['valid', true],
        ['valid', true],
      ]);
      expect(view.reservation.status).toBe('confirmed');
      expect(calls).toBe(0);
    } finally {
      await free.close();
    }
  });
});
