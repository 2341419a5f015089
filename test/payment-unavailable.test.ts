import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPayments } from '../src/payments/local.js';
import type { PaymentProvider } from '../src/payments/provider.js';
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
    const floor = (await ctx.app.inject({ url: `/api/v1/events/${event.id}/floor-plan`, headers: bearer(ctx.ownerToken) })).json();
    expect(floor.tables[0]).toMatchObject({ id: table.id, status: 'available' });
    const ev = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json();
    expect(ev.ga.sold).toBe(0);
  });
});
