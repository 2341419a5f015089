import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPayments } from '../src/payments/local.js';
import type { PaymentProvider } from '../src/payments/provider.js';
import { onPostgres } from './support/database.js';
import { bearer, createEvent, startTestApp, type TestContext } from './support/harness.js';

/** A provider that cannot start a payment must not leave a table held for nobody. */
const broken: PaymentProvider = {
  ...localPayments,
  createPayment: async () => {
    throw new Error('connect ECONNREFUSED');
  },
};

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp({ payments: broken });
});
afterAll(() => ctx.close());

describe('when the payment provider is down', () => {
  it('answers 502 payment_unavailable and gives the table and GA places back at once', async () => {
    const event = await createEvent(ctx);
    const table = event.tables[0]!;
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/orders`,
      payload: { email: 'a@example.com', name: 'A', ga_quantity: 2, table_id: table.id },
    });
    expect(res.statusCode).toBe(502);
    expect(res.json().error.code).toBe('payment_unavailable');
    // The provider's own words are for the server's log, not for the buyer.
    expect(res.json().error.message).not.toMatch(/ECONNREFUSED|connect/);
    const floor = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/floor-plan`, headers: bearer(ctx.ownerToken) })
    ).json();
    expect(floor.tables[0]).toMatchObject({ id: table.id, status: 'available' });
    const ev = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json();
    expect(ev.ga.sold).toBe(0);
  });
});

describe.skipIf(!onPostgres)('after the provider answered (PostgreSQL: row locks)', () => {
  let slow: TestContext;
  let holdLock: ((orderId: string) => Promise<void>) | null = null;
  beforeAll(async () => {
    // A provider that answers, but while it does someone else holds the order row past lock_timeout.
    const provider: PaymentProvider = {
      ...localPayments,
      createPayment: async (req) => {
        await holdLock?.(req.orderId);
        return localPayments.createPayment(req);
      },
    };
    slow = await startTestApp({ payments: provider, lockTimeoutMs: 200 });
  });
  afterAll(() => slow.close());

  it('a lock timeout while recording the payment is 503 busy (retryable), not 502 payment_unavailable', async () => {
    const event = await createEvent(slow);
    let release!: () => void;
    let held!: Promise<void>;
    holdLock = (orderId) =>
      new Promise<void>((locked) => {
        held = slow.database.transaction(async (tx) => {
          await tx.execute(sql`SELECT id FROM orders WHERE id = ${orderId} FOR UPDATE`);
          locked();
          // Held until the order is answered: the payment's UPDATE gives up after the lock timeout.
          await new Promise<void>((r) => (release = r));
        });
      });
    const pending = slow.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/orders`,
      payload: { email: 'b@example.com', name: 'B', ga_quantity: 1 },
    });
    const res = await pending;
    release();
    await held;
    holdLock = null;
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json().error.code).toBe('busy');
    expect(res.headers['retry-after']).toBeTruthy();
  });
});
