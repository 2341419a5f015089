import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import type { PaymentProvider } from '../src/payments/provider.js';
import { expireHolds } from '../src/services/orders/expire-holds.service.js';
import { placeOrder } from '../src/services/orders/place-order.service.js';
import { bearer, createEvent, startTestApp, type TestContext } from './support/harness.js';
import { FakeStripe, stripeEnv } from './support/fake-stripe.js';

/**
 * placeOrder commits the hold, then asks Stripe for a PaymentIntent outside any transaction. Other
 * writers may release the hold in that gap (the owner cancels the event, the sweeper expires it).
 * The buyer must then get the refusal, not a 201 with a client secret they can still pay with
 * (which would charge them for a released hold and refund them, fees lost).
 */
let fake: FakeStripe;
let ctx: TestContext;

beforeAll(async () => {
  fake = await FakeStripe.start();
  ctx = await startTestApp({ env: stripeEnv(fake) });
});
afterAll(async () => {
  await ctx.close();
  await fake.close();
});

/** The real Stripe provider, but createPayment waits at a gate the test opens. */
function gatedPayments() {
  let reached!: () => void;
  let open!: () => void;
  const atGate = new Promise<void>((r) => (reached = r));
  const gate = new Promise<void>((r) => (open = r));
  const payments: PaymentProvider = {
    ...ctx.deps.payments,
    createPayment: async (req) => {
      reached();
      await gate;
      return ctx.deps.payments.createPayment(req);
    },
  };
  return { payments, atGate, open };
}

const orderRow = async (eventId: string) =>
  (
    await queryRows<{ status: string; provider_client_secret: string | null }>(
      ctx.database.db,
      sql`SELECT status, provider_client_secret FROM orders WHERE event_id = ${eventId}`,
    )
  )[0]!;

describe('a hold released while its payment is being started', () => {
  it('the owner cancels the event meanwhile: 409 event_cancelled, no payable client secret', async () => {
    const event = await createEvent(ctx);
    const { payments, atGate, open } = gatedPayments();
    const placing = placeOrder(
      { ...ctx.deps, payments },
      { eventId: event.id, email: 'b@example.com', name: 'B', gaQuantity: 1, tableId: event.tables[0]!.id },
    );
    await atGate; // the hold is committed; Stripe has not answered yet
    const preview = await ctx.app.inject({
      url: `/api/v1/events/${event.id}/cancellation`,
      headers: bearer(ctx.ownerToken),
    });
    const cancel = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/cancel`,
      headers: bearer(ctx.ownerToken),
      payload: { confirmation_token: preview.json().confirmation_token },
    });
    expect(cancel.statusCode, cancel.body).toBe(202);
    open();
    await expect(placing).rejects.toMatchObject({ code: 'event_cancelled' });
    expect(await orderRow(event.id)).toEqual({ status: 'expired', provider_client_secret: null });
  });

  it('the sweeper expires the hold meanwhile: 409 order_expired, no payable client secret', async () => {
    const event = await createEvent(ctx);
    const { payments, atGate, open } = gatedPayments();
    const placing = placeOrder(
      { ...ctx.deps, payments },
      { eventId: event.id, email: 'b@example.com', name: 'B', gaQuantity: 2 },
    );
    await atGate;
    ctx.clock.advance(ctx.deps.config.holdSeconds * 1000);
    expect(await expireHolds(ctx.deps)).toBe(1);
    open();
    await expect(placing).rejects.toMatchObject({ code: 'order_expired' });
    expect(await orderRow(event.id)).toEqual({ status: 'expired', provider_client_secret: null });
  });
});
