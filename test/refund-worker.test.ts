import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import {
  claimDueRefunds,
  markRefundFailed,
  markRefundSucceeded,
  scheduleRefundRetry,
} from '../src/db/repos/refunds.repo.js';
import { createStripePayments, stripeClient } from '../src/payments/stripe.js';
import { processDueRefunds } from '../src/services/refunds/refund-worker.service.js';
import { TokenBucket } from '../src/services/jobs/token-bucket.js';
import { bearer, createEvent, type TestContext } from './support/harness.js';
import type { FakeStripe } from './support/fake-stripe.js';
import { buyPaidStripe, drainRefunds, orderView, type StripeOrder, startStripeTestApp } from './support/stripe-flow.js';

let fake: FakeStripe;
let ctx: TestContext;

let close: () => Promise<void>;
beforeAll(async () => {
  ({ ctx, fake, close } = await startStripeTestApp({ poolSize: 40 }));
});
afterAll(() => close());

/** An event with `n` paid orders, cancelled: `n` pending refunds in the outbox. */
async function cancelledEventWith(n: number): Promise<{ eventId: string; orders: StripeOrder[] }> {
  const event = await createEvent(ctx, { ga: { price_cents: 1500, capacity: 1000 } });
  const orders: StripeOrder[] = [];
  for (let i = 0; i < n; i++)
    orders.push(await buyPaidStripe(ctx, fake, event.id, { ga_quantity: 1 + (i % 3), name: `Buyer ${i}` }));
  const { confirmation_token } = (
    await ctx.app.inject({ url: `/api/v1/events/${event.id}/cancellation`, headers: bearer(ctx.ownerToken) })
  ).json();
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${event.id}/cancel`,
    headers: bearer(ctx.ownerToken),
    payload: { confirmation_token },
  });
  expect(res.statusCode, res.body).toBe(202);
  return { eventId: event.id, orders };
}

const refundRows = (eventId: string) =>
  queryRows<{
    order_id: string;
    status: string;
    attempts: number;
    next_attempt_at: Date;
    last_error: string | null;
    provider_refund_id: string | null;
    idempotency_key: string;
  }>(
    ctx.database.db,
    sql`SELECT order_id, status, attempts, next_attempt_at, last_error, provider_refund_id, idempotency_key FROM refunds WHERE event_id = ${eventId} ORDER BY order_id`,
  );

const keyRequests = (key: string) =>
  fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.idempotencyKey === key);

describe('refund worker', () => {
  it('backs off exponentially (with jitter) on 429 and 500, then succeeds', async () => {
    const { eventId, orders } = await cancelledEventWith(1);
    fake.inject({ match: 'POST /v1/refunds', status: 429 });
    fake.inject({ match: 'POST /v1/refunds', status: 500 });
    const t0 = ctx.clock.now().getTime();
    expect(await drainRefunds(ctx, { random: () => 0 })).toBe(1);
    let [row] = await refundRows(eventId);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.last_error).toMatch(/429/);
    // attempt 1 failed: due again after half of 1 s (random 0) …
    expect(new Date(row!.next_attempt_at).getTime() - t0).toBe(500);
    ctx.clock.advance(499);
    expect(await drainRefunds(ctx)).toBe(0);
    ctx.clock.advance(1);
    expect(await drainRefunds(ctx, { random: () => 0.999 })).toBe(1);
    [row] = await refundRows(eventId);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(row!.last_error).toMatch(/500/);
    // … attempt 2: between 1 s and 2 s (random ~1 → ~2 s).
    expect(new Date(row!.next_attempt_at).getTime() - ctx.clock.now().getTime()).toBe(1999);
    ctx.clock.advance(2000);
    expect(await drainRefunds(ctx)).toBe(1);
    [row] = await refundRows(eventId);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 3, last_error: null });
    expect(fake.refundsFor(orders[0]!.payment.payment_intent_id)).toHaveLength(1);
  });

  it('a refund Stripe made but whose answer was lost (500 after the work, or a timeout) is found, not repeated', async () => {
    const { eventId, orders } = await cancelledEventWith(2);
    // The first refund: Stripe does it, then the connection dies with a 500.
    fake.inject({ match: 'POST /v1/refunds', status: 500, after: true });
    // The second: Stripe does it, but answers after our 300 ms timeout.
    fake.inject({ match: 'POST /v1/refunds', delayMs: 1500, after: true });
    const impatient = {
      ...ctx.deps,
      payments: createStripePayments({ secretKey: 'sk_test_velvet', apiUrl: fake.url, timeoutMs: 300 }),
    };
    expect(await processDueRefunds(impatient, { limiter: new TokenBucket(1000), batchSize: 1 })).toBe(1);
    expect(await processDueRefunds(impatient, { limiter: new TokenBucket(1000), batchSize: 1 })).toBe(1);
    // Asked after the failure, Stripe lists the refund it made: recorded at once, made once.
    const rows = await refundRows(eventId);
    for (const o of orders) {
      const row = rows.find((r) => r.order_id === o.order_id)!;
      const made = fake.refundsFor(o.payment.payment_intent_id);
      expect(made).toHaveLength(1);
      expect(row).toMatchObject({ status: 'succeeded', provider_refund_id: made[0]!.id, attempts: 1 });
      expect(fake.refundCreations.get(row.idempotency_key)).toBe(1);
    }
  });

  it('a refund made but answered 500, which Stripe then replays for its key forever, still ends succeeded (not failed)', async () => {
    const { eventId, orders } = await cancelledEventWith(1);
    fake.inject({ match: 'POST /v1/refunds', status: 500, after: true, stored: true });
    // Every retry with the key now gets the stored 500; only asking Stripe for the refund tells the truth.
    expect(await drainRefunds(ctx, { maxAttempts: 1 })).toBe(1);
    const [row] = await refundRows(eventId);
    const made = fake.refundsFor(orders[0]!.payment.payment_intent_id);
    expect(made).toHaveLength(1);
    expect(row).toMatchObject({ status: 'succeeded', provider_refund_id: made[0]!.id });
    expect(await orderView(ctx, orders[0]!)).toMatchObject({ status: 'refunded' });
  });

  it('a worker that lost its claim (it waited past its lease) records nothing over the worker that took the refund over', async () => {
    const { eventId } = await cancelledEventWith(1);
    const now = ctx.clock.now();
    const [first] = await ctx.database.transaction((tx) =>
      claimDueRefunds(tx, now, new Date(now.getTime() + 1_000), 10),
    );
    ctx.clock.advance(1_000);
    const later = ctx.clock.now();
    const [second] = await ctx.database.transaction((tx) =>
      claimDueRefunds(tx, later, new Date(later.getTime() + 60_000), 10),
    );
    expect(second!.id).toBe(first!.id);
    // The first worker finally gets its answer: it can neither fail the refund nor free the claim.
    expect(
      await ctx.database.transaction((tx) => markRefundFailed(tx, first!.id, first!.leaseToken!, 'late')),
    ).toBeNull();
    expect(
      await ctx.database.transaction((tx) => scheduleRefundRetry(tx, first!.id, first!.leaseToken!, later, 'late')),
    ).toBe(false);
    let [row] = await refundRows(eventId);
    expect(row).toMatchObject({ status: 'pending', last_error: null });
    // The holder's result counts.
    expect(
      await ctx.database.transaction((tx) => markRefundSucceeded(tx, second!.id, second!.leaseToken!, 're_by_second')),
    ).not.toBeNull();
    [row] = await refundRows(eventId);
    expect(row).toMatchObject({ status: 'succeeded', provider_refund_id: 're_by_second' });
  });

  it('a claim kept waiting by the rate limiter until its lease would run out is handed back, not paid', async () => {
    const { eventId } = await cancelledEventWith(1);
    class SlowLimiter extends TokenBucket {
      override async take(): Promise<void> {
        ctx.clock.advance(50_000); // the wait outlasted most of the 60 s lease
      }
    }
    const before = fake.requests.length;
    expect(await processDueRefunds(ctx.deps, { limiter: new SlowLimiter(1000), leaseMs: 60_000 })).toBe(1);
    expect(fake.requests.slice(before).filter((r) => r.path === '/v1/refunds')).toHaveLength(0);
    const [row] = await refundRows(eventId);
    expect(row).toMatchObject({ status: 'pending' });
    // Handed back at once: the next pass (any worker) takes it.
    expect(await drainRefunds(ctx)).toBe(1);
    expect((await refundRows(eventId))[0]).toMatchObject({ status: 'succeeded' });
  });

  it('counts charge_already_refunded as done (refunded by hand in the dashboard)', async () => {
    const { eventId, orders } = await cancelledEventWith(1);
    const pi = orders[0]!.payment.payment_intent_id;
    const manual = await stripeClient({ secretKey: 'sk_test_velvet', apiUrl: fake.url }).refunds.create({
      payment_intent: pi,
    });
    expect(await drainRefunds(ctx)).toBe(1);
    const [row] = await refundRows(eventId);
    expect(row).toMatchObject({ status: 'succeeded', provider_refund_id: manual.id });
    expect(fake.refundsFor(pi)).toHaveLength(1);
    expect(await orderView(ctx, orders[0]!)).toMatchObject({
      status: 'refunded',
      refunded_cents: orders[0]!.amount_cents,
    });
  });

  it('marks a refund Stripe refuses for good as failed, with the error, and leaves the order paid', async () => {
    const { eventId, orders } = await cancelledEventWith(1);
    // The intent vanished on Stripe's side (e.g. wrong account): 404 resource_missing is not retryable.
    fake.intents.delete(orders[0]!.payment.payment_intent_id);
    expect(await drainRefunds(ctx)).toBe(1);
    const progress = (
      await ctx.app.inject({ url: `/api/v1/events/${eventId}/refunds`, headers: bearer(ctx.ownerToken) })
    ).json();
    expect(progress).toMatchObject({ total: 1, failed: 1, pending: 0, succeeded: 0 });
    expect(progress.items[0].last_error).toMatch(/resource_missing/);
    expect((await orderView(ctx, orders[0]!)).status).toBe('paid');
    ctx.clock.advance(3600_000);
    expect(await drainRefunds(ctx)).toBe(0);
  });

  it('the owner sends failed refunds again once the cause is fixed: paid once, under a new round of its key', async () => {
    const { eventId, orders } = await cancelledEventWith(2);
    const intentId = orders[0]!.payment.payment_intent_id;
    const intent = fake.intents.get(intentId)!;
    fake.intents.delete(intentId);
    await drainRefunds(ctx);
    expect(
      (await ctx.app.inject({ url: `/api/v1/events/${eventId}/refunds`, headers: bearer(ctx.ownerToken) })).json(),
    ).toMatchObject({ failed: 1, succeeded: 1 });
    // Staff may not; the owner may.
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: `/api/v1/events/${eventId}/refunds/retry`,
          headers: bearer(ctx.staffToken),
        })
      ).statusCode,
    ).toBe(403);
    fake.intents.set(intentId, intent);
    const retry = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${eventId}/refunds/retry`,
      headers: bearer(ctx.ownerToken),
    });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toMatchObject({ requeued: 1, pending: 1, failed: 0, succeeded: 1 });
    expect(await drainRefunds(ctx)).toBe(1);
    const rows = await refundRows(eventId);
    expect(rows.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    for (const row of rows) expect(keyRequests(row.idempotency_key).filter((r) => r.status === 200)).toHaveLength(1);
    expect(rows.map((r) => r.idempotency_key).filter((k) => k.endsWith('-retry-1'))).toHaveLength(1);
    expect((await orderView(ctx, orders[0]!)).status).toBe('refunded');
    // Nothing failed is left: a second retry requeues nothing.
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: `/api/v1/events/${eventId}/refunds/retry`,
          headers: bearer(ctx.ownerToken),
        })
      ).json().requeued,
    ).toBe(0);
  });

  it('takes over a refund whose worker died holding it, once its lease runs out', async () => {
    const { eventId, orders } = await cancelledEventWith(1);
    const now = ctx.clock.now();
    // A worker claims it and dies before calling Stripe.
    const claimed = await ctx.database.transaction((tx) =>
      claimDueRefunds(tx, now, new Date(now.getTime() + 60_000), 10),
    );
    expect(claimed.map((c) => c.orderId)).toEqual([orders[0]!.order_id]);
    expect(await drainRefunds(ctx)).toBe(0);
    ctx.clock.advance(59_999);
    expect(await drainRefunds(ctx)).toBe(0);
    ctx.clock.advance(1);
    expect(await drainRefunds(ctx)).toBe(1);
    const [row] = await refundRows(eventId);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('two workers side by side never ask Stripe for the same refund twice', async () => {
    const { eventId } = await cancelledEventWith(40);
    const worker = async () => {
      let n = 0;
      for (
        let claimed;
        (claimed = await processDueRefunds(ctx.deps, { limiter: new TokenBucket(1000, 10), batchSize: 5 })) > 0;
      )
        n += claimed;
      return n;
    };
    const [a, b, c] = await Promise.all([worker(), worker(), worker()]);
    expect(a + b + c).toBe(40);
    const rows = await refundRows(eventId);
    expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
    for (const r of rows) expect(keyRequests(r.idempotency_key)).toHaveLength(1);
  });

  it('keeps to the configured rate (20/s here): Stripe never sees more than rate + 1 calls in any second', async () => {
    const { eventId } = await cancelledEventWith(30);
    const from = fake.requests.length;
    const limiter = new TokenBucket(20);
    while ((await processDueRefunds(ctx.deps, { limiter, batchSize: 10 })) > 0);
    // Earlier tests may leave a refund whose retry falls due now: it is paced too, but not ours.
    const ours = new Set((await refundRows(eventId)).map((r) => r.idempotency_key));
    const calls = fake.requests.slice(from).filter((r) => r.path === '/v1/refunds');
    const ourTimes = calls.filter((r) => ours.has(r.idempotencyKey!)).map((r) => r.at);
    expect(ourTimes).toHaveLength(30);
    expect(ourTimes[29]! - ourTimes[0]!).toBeGreaterThanOrEqual(29 * 50 - 20);
    for (const t of ourTimes) expect(ourTimes.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(21);
    expect((await refundRows(eventId)).every((r) => r.status === 'succeeded')).toBe(true);
  });
});
