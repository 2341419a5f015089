import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeDueEvents } from '../src/services/events/complete-event.service.js';
import { bearer, createEvent, placeOrder, startTestApp, T0, type TestContext } from './support/harness.js';
import type { FakeStripe } from './support/fake-stripe.js';
import { deliver, drainRefunds, orderView, type StripeOrder, startStripeTestApp } from './support/stripe-flow.js';

/**
 * The event sells until `ends_at`, so a hold placed in the last minutes outlives the night. A payment
 * that lands after the end, before the completion sweep has run, buys nothing: it must be treated as
 * the sweep would (hold released, money refunded), not sell a table that can only be a no-show.
 */
const LATE_HOLD = '2030-06-03T04:58:00.000Z';
const AFTER_END = '2030-06-03T05:00:30.000Z';

describe('a payment that lands after the event ended, before the completion sweep', () => {
  let fake: FakeStripe;
  let ctx: TestContext;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ ctx, fake, close } = await startStripeTestApp({ poolSize: 30 }));
  });
  afterAll(() => close());

  it('is refunded as a late payment and the table is not sold', async () => {
    const event = await createEvent(ctx);
    ctx.clock.set(LATE_HOLD);
    const held = (await placeOrder(ctx, event.id, { table_id: event.tables[0]!.id, ga_quantity: 2 })) as StripeOrder;
    ctx.clock.set(AFTER_END);
    const res = await deliver(ctx, fake.succeed(held.payment.payment_intent_id));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().outcome).toBe('late_payment_refund');
    const view = await orderView(ctx, held);
    expect(view).toMatchObject({ status: 'expired', refund_reason: 'late_payment' });
    expect(view.reservation).toMatchObject({ status: 'cancelled' });
    expect(view.tickets.every((t) => t.status === 'void')).toBe(true);
    expect(await drainRefunds(ctx)).toBe(1);
    expect(await orderView(ctx, held)).toMatchObject({ status: 'refunded', refunded_cents: held.amount_cents });
    expect(fake.refundsFor(held.payment.payment_intent_id)).toHaveLength(1);
  });

  it('racing the completion sweep: every late payment refunded once, no deadlock', async () => {
    ctx.clock.set(T0);
    const event = await createEvent(ctx, { ga: { price_cents: 1000, capacity: 100 } });
    ctx.clock.set(LATE_HOLD);
    const held: StripeOrder[] = [];
    for (let i = 0; i < 3; i++)
      held.push((await placeOrder(ctx, event.id, { table_id: event.tables[i]!.id })) as StripeOrder);
    for (let i = 0; i < 17; i++) held.push((await placeOrder(ctx, event.id, { ga_quantity: 1 })) as StripeOrder);
    ctx.clock.set(AFTER_END);
    const retriedBefore = ctx.database.stats.retried;
    const [completed, ...answers] = await Promise.all([
      completeDueEvents(ctx.deps),
      ...held.map((h) => deliver(ctx, fake.succeed(h.payment.payment_intent_id))),
    ]);
    expect(completed).toBeGreaterThanOrEqual(1); // this event, and the first test's
    expect(answers.map((a) => a.statusCode)).toEqual(held.map(() => 200));
    expect(new Set(answers.map((a) => a.json().outcome))).toEqual(new Set(['late_payment_refund']));
    // Both take the event before its orders, so no transaction had to be re-run after a deadlock.
    expect(ctx.database.stats.retried).toBe(retriedBefore);
    await drainRefunds(ctx);
    for (const h of held) expect(fake.refundsFor(h.payment.payment_intent_id)).toHaveLength(1);
  });
});

describe('pay-local after the event ended, before the completion sweep', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  it('is refused with 409 event_ended (why the hold is gone), changing nothing; the completion sweep then releases the hold', async () => {
    const event = await createEvent(ctx);
    ctx.clock.set(LATE_HOLD);
    const held = await placeOrder(ctx, event.id, { ga_quantity: 3 });
    ctx.clock.set(AFTER_END);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${held.order_id}/pay-local`,
      headers: bearer(held.manage_token),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('event_ended');
    const status = async () =>
      (await ctx.app.inject({ url: `/api/v1/orders/${held.order_id}`, headers: bearer(held.manage_token) })).json()
        .status;
    // A refused request changes nothing: the sweep that closes the night releases the hold.
    expect(await status()).toBe('pending');
    expect(await completeDueEvents(ctx.deps)).toBe(1);
    expect(await status()).toBe('expired');
    const ev = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json();
    expect(ev.ga.sold).toBe(0);
  });
});
