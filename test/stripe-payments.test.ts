import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { expireHolds } from '../src/services/orders/expire-holds.service.js';
import { createEvent, placeOrder, type EventInfo, type TestContext } from './support/harness.js';
import { signedWebhook, type FakeStripe } from './support/fake-stripe.js';
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
let event: EventInfo;

let close: () => Promise<void>;
beforeAll(async () => {
  ({ ctx, fake, close } = await startStripeTestApp());
  event = await createEvent(ctx);
});
afterAll(() => close());

const webhookRows = async () =>
  queryRows<{ id: string }>(ctx.database.db, sql`SELECT id FROM webhook_events ORDER BY id`);

describe('Stripe payments through the official SDK', () => {
  it('creates a PaymentIntent for the order and shows its client secret', async () => {
    const table = event.tables.find((t) => t.number === 1)!;
    const placed = (await placeOrder(ctx, event.id, { ga_quantity: 2, table_id: table.id })) as StripeOrder;
    expect(placed.payment.provider).toBe('stripe');
    const intent = fake.intents.get(placed.payment.payment_intent_id)!;
    expect(intent).toMatchObject({
      amount: 2 * 2000 + 50000,
      currency: 'eur',
      metadata: { order_id: placed.order_id },
    });
    expect(placed.payment.client_secret).toBe(intent.client_secret);
    // The order view (buyer's page) carries the same secret for Stripe.js.
    expect((await orderView(ctx, placed)).payment).toMatchObject({ client_secret: intent.client_secret });
  });

  it('pays the order on a signed payment_intent.succeeded, once however often it is delivered', async () => {
    const placed = (await placeOrder(ctx, event.id, { ga_quantity: 2 })) as StripeOrder;
    const succeeded = fake.succeed(placed.payment.payment_intent_id);
    const first = await deliver(ctx, succeeded);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ received: true, outcome: 'paid', orderId: placed.order_id });
    const view = await orderView(ctx, placed);
    expect(view.status).toBe('paid');
    expect(view.tickets.every((t) => t.status === 'valid' && t.qr?.startsWith('V1.'))).toBe(true);

    const before = await dumpTables(ctx.database.db);
    // Stripe retries a delivery it thinks failed: the same event id, re-signed later.
    ctx.clock.advance(60_000);
    const again = await deliver(ctx, succeeded);
    expect(again.statusCode).toBe(200);
    expect(again.json().outcome).toBe('duplicate');
    // Two copies at once: the event id's unique key lets exactly one through.
    const both = await Promise.all([deliver(ctx, succeeded), deliver(ctx, succeeded)]);
    expect(both.map((r) => r.json().outcome)).toEqual(['duplicate', 'duplicate']);
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });

  it('tolerates out-of-order events: a stale event after success changes nothing, a second success is a no-op', async () => {
    const placed = (await placeOrder(ctx, event.id)) as StripeOrder;
    const created = fake.event('payment_intent.created', fake.intents.get(placed.payment.payment_intent_id));
    const succeeded = fake.succeed(placed.payment.payment_intent_id);
    expect((await deliver(ctx, succeeded)).json().outcome).toBe('paid');
    const paidView = await orderView(ctx, placed);

    const late = await deliver(ctx, created);
    expect(late.statusCode).toBe(200);
    expect(late.json().outcome).toBe('ignored');
    // Stripe may also send a second, distinct success event for the same intent.
    const second = fake.event('payment_intent.succeeded', fake.intents.get(placed.payment.payment_intent_id));
    expect((await deliver(ctx, second)).json().outcome).toBe('already_paid');
    expect(await orderView(ctx, placed)).toEqual(paidView);
    const ids = (await webhookRows()).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([created.id, succeeded.id, second.id]));
  });

  it('refunds a payment that arrives after the hold lapsed and the table was sold, and the order says so', async () => {
    const table = event.tables.find((t) => t.number === 2)!;
    const slow = (await placeOrder(ctx, event.id, { table_id: table.id, name: 'Slow Payer' })) as StripeOrder;
    ctx.clock.advance(10 * 60_000);
    expect(await expireHolds(ctx.deps)).toBeGreaterThanOrEqual(1);
    const winner = await buyPaidStripe(ctx, fake, event.id, { table_id: table.id, name: 'Quick Payer' });

    const res = await deliver(ctx, fake.succeed(slow.payment.payment_intent_id));
    expect(res.statusCode).toBe(200);
    expect(res.json().outcome).toBe('late_payment_refund');
    let view = await orderView(ctx, slow);
    expect(view).toMatchObject({ status: 'expired', refund_reason: 'late_payment', refunded_cents: 0 });
    // A lapsed hold hands out no way to pay it again.
    expect(view.payment).toMatchObject({ provider: 'stripe', client_secret: null });
    expect(view.refund).toMatchObject({ status: 'pending', amount_cents: slow.amount_cents, reason: 'late_payment' });

    expect(await drainRefunds(ctx)).toBe(1);
    view = await orderView(ctx, slow);
    expect(view).toMatchObject({
      status: 'refunded',
      refund_reason: 'late_payment',
      refunded_cents: slow.amount_cents,
    });
    expect(view.tickets.every((t) => t.status === 'void' && t.qr === null)).toBe(true);
    const refunds = fake.refundsFor(slow.payment.payment_intent_id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.amount).toBe(slow.amount_cents);
    expect(view.refund).toMatchObject({ status: 'succeeded', provider_refund_id: refunds[0]!.id });
    // The table stayed with the buyer who paid in time.
    expect((await orderView(ctx, winner)).reservation).toMatchObject({ status: 'confirmed', table_number: 2 });
  });

  describe('refuses webhooks it cannot trust with 400 invalid_signature, changing nothing', () => {
    const attempt = async (payload: string, headers: Record<string, string>) => {
      const before = await dumpTables(ctx.database.db);
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/stripe', headers, payload });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('invalid_signature');
      expect(await dumpTables(ctx.database.db)).toEqual(before);
    };
    let event_: Stripe.Event;
    beforeAll(async () => {
      const placed = (await placeOrder(ctx, event.id)) as StripeOrder;
      event_ = fake.succeed(placed.payment.payment_intent_id);
    });

    it('signed with another secret', async () => {
      const { payload, headers } = signedWebhook(event_, ctx.clock.now(), { secret: 'whsec_someone_else' });
      await attempt(payload, headers);
    });
    it('body changed after signing', async () => {
      const { payload, headers } = signedWebhook(event_, ctx.clock.now());
      await attempt(payload.replace('"amount":2000', '"amount":1'), headers);
    });
    it('re-serialised JSON (same data, different bytes) does not verify either', async () => {
      const { payload, headers } = signedWebhook(event_, ctx.clock.now());
      await attempt(JSON.stringify(JSON.parse(payload), null, 2), headers);
    });
    it('replayed after the tolerance window (signed 6 minutes ago)', async () => {
      const { payload, headers } = signedWebhook(event_, new Date(ctx.clock.now().getTime() - 6 * 60_000));
      await attempt(payload, headers);
    });
    it('no signature header, or no body', async () => {
      await attempt(JSON.stringify(event_), { 'content-type': 'application/json' });
      const { headers } = signedWebhook(event_, ctx.clock.now());
      await attempt('', headers);
    });
    it('a correctly signed copy is still accepted afterwards', async () => {
      expect((await deliver(ctx, event_)).json().outcome).toBe('paid');
    });
  });

  it('places no order when Stripe cannot start a payment, and gives the stock back', async () => {
    fake.inject({ match: 'POST /v1/payment_intents', status: 500 });
    const table = event.tables.find((t) => t.number === 3)!;
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/orders`,
      payload: { email: 'x@example.com', name: 'X', ga_quantity: 1, table_id: table.id },
    });
    expect(res.statusCode).toBe(502);
    expect(res.json().error.code).toBe('payment_unavailable');
    await placeOrder(ctx, event.id, { table_id: table.id });
  });
});
