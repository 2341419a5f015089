import { expect } from 'vitest';
import type Stripe from 'stripe';
import { TokenBucket } from '../../src/services/jobs/token-bucket.js';
import { processDueRefunds, type RefundBatchOptions } from '../../src/services/refunds/refund-worker.service.js';
import {
  bearer,
  placeOrder,
  startTestApp,
  type OrderViewJson,
  type PlacedOrder,
  type TestContext,
  type TestOptions,
} from './harness.js';
import { FakeStripe, signedWebhook, stripeEnv } from './fake-stripe.js';

export interface StripeOrder extends PlacedOrder {
  payment: { provider: 'stripe'; payment_intent_id: string; client_secret: string };
}

/** Delivers a Stripe event to the webhook endpoint, signed "now" by the test clock. */
export async function deliver(ctx: TestContext, event: Stripe.Event, sentAt: Date = ctx.clock.now()) {
  const { payload, headers } = signedWebhook(event, sentAt);
  return ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/stripe', headers, payload });
}

/** Places an order, has the fake's customer pay it, and delivers the webhook. */
export async function buyPaidStripe(
  ctx: TestContext,
  fake: FakeStripe,
  eventId: string,
  body: Parameters<typeof placeOrder>[2] = {},
) {
  const placed = (await placeOrder(ctx, eventId, body)) as StripeOrder;
  const res = await deliver(ctx, fake.succeed(placed.payment.payment_intent_id));
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().outcome).toBe('paid');
  return placed;
}

export async function orderView(
  ctx: TestContext,
  order: PlacedOrder,
): Promise<OrderViewJson & Record<string, unknown>> {
  const res = await ctx.app.inject({ url: `/api/v1/orders/${order.order_id}`, headers: bearer(order.manage_token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Runs refund batches until one claims nothing (what the server's runner does, without timers). */
export async function drainRefunds(ctx: TestContext, opts: Partial<RefundBatchOptions> = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await processDueRefunds(ctx.deps, { limiter: new TokenBucket(1000, 1000), ...opts });
    if (n === 0) return total;
    total += n;
  }
}

/** A test app whose payments go to a fresh Stripe-compatible fake; `close` stops both. */
export async function startStripeTestApp(opts: Omit<TestOptions, 'env'> = {}) {
  const fake = await FakeStripe.start();
  const ctx = await startTestApp({ ...opts, env: stripeEnv(fake) });
  const close = async () => {
    await ctx.close();
    await fake.close();
  };
  return { ctx, fake, close };
}
