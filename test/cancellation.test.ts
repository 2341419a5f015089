import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { FLOOR_CHANNEL } from '../src/db/repos/floor.repo.js';
import { bearer, createEvent, placeOrder, type EventInfo, type TestContext, floorTables } from './support/harness.js';
import type { FakeStripe } from './support/fake-stripe.js';
import { dumpTables } from './support/snapshot.js';
import {
  buyPaidStripe,
  deliver,
  drainRefunds,
  orderView,
  type StripeOrder,
  startStripeTestApp,
} from './support/stripe-flow.js';

let fake: FakeStripe;
let ctx: TestContext;

let close: () => Promise<void>;
beforeAll(async () => {
  ({ ctx, fake, close } = await startStripeTestApp({ poolSize: 30 }));
});
afterAll(() => close());

const preview = (eventId: string, token = ctx.ownerToken) =>
  ctx.app.inject({ url: `/api/v1/events/${eventId}/cancellation`, headers: bearer(token) });
const cancel = (eventId: string, confirmation_token: string, token = ctx.ownerToken) =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/cancel`,
    headers: bearer(token),
    payload: { confirmation_token },
  });
const refundsOf = async (eventId: string) => {
  const res = await ctx.app.inject({ url: `/api/v1/events/${eventId}/refunds`, headers: bearer(ctx.ownerToken) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const floor = (eventId: string) => floorTables(ctx, eventId);

describe('the owner cancels an event before it starts', () => {
  let event: EventInfo;
  let ga: StripeOrder;
  let vip: StripeOrder;
  let held: StripeOrder;
  let pendingGa: StripeOrder;

  beforeAll(async () => {
    event = await createEvent(ctx);
    ga = await buyPaidStripe(ctx, fake, event.id, { ga_quantity: 3, name: 'GA Buyer' });
    vip = await buyPaidStripe(ctx, fake, event.id, { ga_quantity: 2, table_id: event.tables[0]!.id, name: 'VIP Host' });
    held = (await placeOrder(ctx, event.id, {
      ga_quantity: 1,
      table_id: event.tables[1]!.id,
      name: 'Unpaid Hold',
    })) as StripeOrder;
    pendingGa = (await placeOrder(ctx, event.id, { ga_quantity: 2, name: 'Unpaid GA' })) as StripeOrder;
  });

  it('lets only the owner see or approve it', async () => {
    for (const token of [ctx.staffToken, ga.manage_token]) {
      expect((await preview(event.id, token)).statusCode).toBe(403);
      expect((await cancel(event.id, 'x', token)).statusCode).toBe(403);
      expect(
        (await ctx.app.inject({ url: `/api/v1/events/${event.id}/refunds`, headers: bearer(token) })).statusCode,
      ).toBe(403);
    }
    expect((await ctx.app.inject({ url: `/api/v1/events/${event.id}/cancellation` })).statusCode).toBe(401);
    // Credentials come before the body: an anonymous caller with a bad body learns nothing about it.
    const anon = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/cancel`,
      payload: { nope: 1 },
    });
    expect(anon.statusCode).toBe(401);
    const missing = await preview('00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
  });

  it('previews the refund total and refuses a token from before sales changed (409 confirmation_stale, nothing changed)', async () => {
    const first = await preview(event.id);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      refund_total_cents: ga.amount_cents + vip.amount_cents,
      currency: 'EUR',
      orders: 2,
      tickets: 5,
      reservations: 2,
      holds: 2,
    });
    // Another ticket sells after the owner looked: the total they approved is no longer the total.
    const late = await buyPaidStripe(ctx, fake, event.id, { ga_quantity: 1, name: 'Late Buyer' });
    const before = await dumpTables(ctx.database.db);
    const stale = await cancel(event.id, first.json().confirmation_token);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('confirmation_stale');
    expect(await dumpTables(ctx.database.db)).toEqual(before);
    const second = (await preview(event.id)).json();
    expect(second.refund_total_cents).toBe(ga.amount_cents + vip.amount_cents + late.amount_cents);
    expect(second.confirmation_token).not.toBe(first.json().confirmation_token);
    // A token that was never issued is not "sales changed": it says what it is, and changes nothing.
    const otherEvent = await createEvent(ctx, { name: 'Other' });
    const foreign = (await preview(otherEvent.id)).json().confirmation_token;
    const untouched = await dumpTables(ctx.database.db);
    const garbage = await cancel(event.id, 'not-a-token');
    expect(garbage.statusCode).toBe(409);
    expect(garbage.json().error.code).toBe('invalid_confirmation');
    // Nor is another event's token.
    expect((await cancel(event.id, foreign)).json().error.code).toBe('invalid_confirmation');
    expect(await dumpTables(ctx.database.db)).toEqual(untouched);
  });

  it('cancels everything in one go: event, reservations, tickets, holds, one refund per paid order, floor plan available', async () => {
    const { confirmation_token, refund_total_cents } = (await preview(event.id)).json();
    const changed = new Set<string>();
    const eventStatuses: string[] = [];
    const unlisten = await ctx.database.listen(FLOOR_CHANNEL, (p) => {
      const m = JSON.parse(p) as { table_id?: string; event_status?: string };
      if (m.table_id) changed.add(m.table_id);
      if (m.event_status) eventStatuses.push(m.event_status);
    });
    const res = await cancel(event.id, confirmation_token);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({
      status: 'cancelled',
      refunds: { total: 3, pending: 3, total_cents: refund_total_cents },
    });
    await expect.poll(() => changed.size).toBe(event.tables.length);
    // Open floor plans are told about the event too, not only that every table is free again.
    await expect.poll(() => eventStatuses).toEqual(['cancelled']);
    await unlisten();

    const ev = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json();
    expect(ev.status).toBe('cancelled');
    expect((await floor(event.id)).every((t) => t.status === 'available')).toBe(true);
    const statuses = await queryRows<{ kind: string; status: string; n: number }>(
      ctx.database.db,
      sql`
      SELECT 'ticket' AS kind, status, count(*)::int AS n FROM tickets WHERE event_id = ${event.id} GROUP BY status
      UNION ALL SELECT 'reservation', status, count(*)::int FROM reservations WHERE event_id = ${event.id} GROUP BY status
      UNION ALL SELECT 'order', status, count(*)::int FROM orders WHERE event_id = ${event.id} GROUP BY status
      ORDER BY 1, 2`,
    );
    expect(statuses).toEqual([
      { kind: 'order', status: 'expired', n: 2 },
      { kind: 'order', status: 'paid', n: 3 },
      { kind: 'reservation', status: 'cancelled', n: 2 },
      { kind: 'ticket', status: 'void', n: 9 },
    ]);
    expect((await orderView(ctx, held)).status).toBe('expired');
    expect((await orderView(ctx, pendingGa)).tickets.every((t) => t.status === 'void')).toBe(true);
    // Unpaid holds gave their GA places back; sales are closed.
    expect(ev.ga.sold).toBe(3 + 2 + 1);
    const buy = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/orders`,
      payload: { email: 'n@example.com', name: 'N', ga_quantity: 1 },
    });
    expect(buy.statusCode).toBe(409);
    expect(buy.json().error.code).toBe('event_cancelled');
  });

  it('answers a second cancellation the same way and writes nothing', async () => {
    const before = await dumpTables(ctx.database.db);
    const again = await cancel(event.id, 'whatever-the-owner-sends');
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ status: 'cancelled', refunds: { total: 3, pending: 3 } });
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });

  it('pays every refund back in full through Stripe, each once, and shows progress', async () => {
    let progress = await refundsOf(event.id);
    expect(progress).toMatchObject({ total: 3, pending: 3, succeeded: 0, refunded_cents: 0 });
    fake.inject({ match: 'POST /v1/refunds', status: 429 });
    expect(await drainRefunds(ctx)).toBe(3);
    progress = await refundsOf(event.id);
    expect(progress).toMatchObject({ total: 3, succeeded: 2, pending: 1 });
    expect(progress.items.find((i: { status: string }) => i.status === 'pending').last_error).toMatch(/429/);
    ctx.clock.advance(60_000);
    expect(await drainRefunds(ctx)).toBe(1);
    progress = await refundsOf(event.id);
    expect(progress).toMatchObject({ total: 3, succeeded: 3, pending: 0, failed: 0 });
    expect(progress.refunded_cents).toBe(
      progress.items.reduce((s: number, i: { amount_cents: number }) => s + i.amount_cents, 0),
    );

    for (const order of [ga, vip]) {
      const view = await orderView(ctx, order);
      expect(view).toMatchObject({
        status: 'refunded',
        refunded_cents: order.amount_cents,
        refund_reason: 'event_cancelled',
      });
      const stripeRefunds = fake.refundsFor(order.payment.payment_intent_id);
      expect(stripeRefunds).toHaveLength(1);
      expect(stripeRefunds[0]!.amount).toBe(order.amount_cents);
      expect(progress.items.find((i: { order_id: string }) => i.order_id === order.order_id).provider_refund_id).toBe(
        stripeRefunds[0]!.id,
      );
    }
    expect(await drainRefunds(ctx)).toBe(0);
    expect([...fake.refundCreations.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('a free night', () => {
  it('settles free orders at once (refunded, nothing to pay back) and writes no refund for them', async () => {
    const event = await createEvent(ctx, { ga: { price_cents: 0, capacity: 50 } });
    const free = await placeOrder(ctx, event.id, { ga_quantity: 2, name: 'Free Guest' });
    const freeToo = await placeOrder(ctx, event.id, { ga_quantity: 1, name: 'Free Too' });
    expect(free.amount_cents).toBe(0);
    const { confirmation_token } = (await preview(event.id)).json();
    const res = await cancel(event.id, confirmation_token);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().refunds).toEqual({ total: 0, pending: 0, succeeded: 0, failed: 0, total_cents: 0 });
    for (const order of [free, freeToo]) {
      const view = await orderView(ctx, order);
      expect(view.status).toBe('refunded');
      expect(view.refund_reason).toBe('event_cancelled');
      expect(view.refund).toBeUndefined();
      expect(view.tickets.every((t: { status: string }) => t.status === 'void')).toBe(true);
    }
    const rows = await queryRows<{ n: number }>(
      ctx.database.db,
      sql`SELECT count(*)::int AS n FROM refunds WHERE event_id = ${event.id}`,
    );
    expect(rows[0]!.n).toBe(0);
  });
});

describe('refusals', () => {
  it('refuses to cancel once the event has started (409 event_started, nothing changed)', async () => {
    const event = await createEvent(ctx, {
      starts_at: '2030-06-01T13:00:00.000Z',
      ends_at: '2030-06-01T20:00:00.000Z',
    });
    await buyPaidStripe(ctx, fake, event.id, { table_id: event.tables[0]!.id });
    const { confirmation_token } = (await preview(event.id)).json();
    ctx.clock.set('2030-06-01T13:00:00.000Z');
    try {
      const before = await dumpTables(ctx.database.db);
      const p = await preview(event.id);
      expect(p.statusCode).toBe(409);
      expect(p.json().error.code).toBe('event_started');
      const c = await cancel(event.id, confirmation_token);
      expect(c.statusCode).toBe(409);
      expect(c.json().error.code).toBe('event_started');
      expect(await dumpTables(ctx.database.db)).toEqual(before);
    } finally {
      ctx.clock.set('2030-06-01T12:00:00.000Z');
    }
  });

  it('refuses a bad body with invalid_request', async () => {
    const event = await createEvent(ctx);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/cancel`,
      headers: bearer(ctx.ownerToken),
      payload: {},
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
  });
});

describe('concurrent cancellations', () => {
  it('a payment racing the cancellation is refunded exactly once, whichever wins', async () => {
    const event = await createEvent(ctx);
    await buyPaidStripe(ctx, fake, event.id);
    const racing = (await placeOrder(ctx, event.id, { table_id: event.tables[0]!.id, name: 'Racer' })) as StripeOrder;
    const { confirmation_token } = (await preview(event.id)).json();
    const [cancelled, paid] = await Promise.all([
      cancel(event.id, confirmation_token),
      deliver(ctx, fake.succeed(racing.payment.payment_intent_id)),
    ]);
    expect(paid.statusCode).toBe(200);
    if (cancelled.statusCode === 202) {
      // The cancellation released the hold first: the money came too late and goes back.
      expect(paid.json().outcome).toBe('late_payment_refund');
    } else {
      // The payment landed first: the owner's preview is stale; they look again and approve.
      expect(cancelled.json().error.code).toBe('confirmation_stale');
      expect(paid.json().outcome).toBe('paid');
      expect((await cancel(event.id, (await preview(event.id)).json().confirmation_token)).statusCode).toBe(202);
    }
    await drainRefunds(ctx);
    const view = await orderView(ctx, racing);
    expect(view).toMatchObject({ status: 'refunded', refunded_cents: racing.amount_cents });
    expect(view.tickets.every((t) => t.status === 'void')).toBe(true);
    expect(fake.refundsFor(racing.payment.payment_intent_id)).toHaveLength(1);
    expect((await floor(event.id)).every((t) => t.status === 'available')).toBe(true);
  });

  it('twenty owners pressing approve at once: one cancellation, one refund per paid order', async () => {
    const event = await createEvent(ctx);
    const paid = [];
    for (let i = 0; i < 4; i++) paid.push(await buyPaidStripe(ctx, fake, event.id, { ga_quantity: 1 + i }));
    for (let i = 0; i < 3; i++) await placeOrder(ctx, event.id, { ga_quantity: 2, table_id: event.tables[i]!.id });
    const { confirmation_token } = (await preview(event.id)).json();
    const answers = await Promise.all(Array.from({ length: 20 }, () => cancel(event.id, confirmation_token)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(202));
    expect(new Set(answers.map((a) => JSON.stringify(a.json())))).toHaveLength(1);
    const rows = await queryRows<{ order_id: string }>(
      ctx.database.db,
      sql`SELECT order_id FROM refunds WHERE event_id = ${event.id}`,
    );
    expect(rows.map((r) => r.order_id).sort()).toEqual(paid.map((p) => p.order_id).sort());
    // Each hold was released exactly once: only the paid places remain counted.
    const ev = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json();
    expect(ev.ga.sold).toBe(1 + 2 + 3 + 4);
  });
});
