import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { startSweeper } from '../src/services/jobs/sweeper.js';
import { expireHolds } from '../src/services/orders/expire-holds.service.js';
import { databaseLabel } from './support/database.js';
import { bearer, createEvent, placeOrder, startTestApp, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp({ poolSize: 20 });
});
afterAll(() => ctx.close());

const counts = (eventId: string) =>
  queryRows<{ sold: number; pending: number; expired: number; void: number; live_reservations: number }>(
    ctx.database.db,
    sql`SELECT (SELECT ga_sold FROM events WHERE id = ${eventId}) AS sold,
               (SELECT count(*)::int FROM orders WHERE event_id = ${eventId} AND status = 'pending') AS pending,
               (SELECT count(*)::int FROM orders WHERE event_id = ${eventId} AND status = 'expired') AS expired,
               (SELECT count(*)::int FROM tickets WHERE event_id = ${eventId} AND status = 'void') AS void,
               (SELECT count(*)::int FROM reservations WHERE event_id = ${eventId} AND status = 'pending') AS live_reservations`,
  );

describe(`hold expiry (${databaseLabel})`, () => {
  it('four sweepers racing over 40 lapsed holds release each exactly once', async () => {
    const event = await createEvent(ctx, { name: 'Sweep race', ga: { price_cents: 1000, capacity: 500 } });
    for (const t of event.tables) await placeOrder(ctx, event.id, { table_id: t.id, ga_quantity: 2 });
    for (let i = 0; i < 37; i++) await placeOrder(ctx, event.id, { ga_quantity: 3 });
    expect((await counts(event.id))[0]).toMatchObject({ sold: 3 * 2 + 37 * 3, pending: 40 });

    ctx.clock.advance(600_000);
    try {
      const released = await Promise.all([1, 2, 3, 4].map(() => expireHolds(ctx.deps, 7)));
      let total = released.reduce((a, b) => a + b, 0);
      // Each sweeper stops after one batch; finish what is left the way the loop would.
      while (total < 40) {
        const n = await expireHolds(ctx.deps, 7);
        expect(n).toBeGreaterThan(0);
        total += n;
      }
      expect(total).toBe(40);
      expect(await expireHolds(ctx.deps)).toBe(0);
      expect((await counts(event.id))[0]).toEqual({
        sold: 0,
        pending: 0,
        expired: 40,
        void: 3 * 2 + 37 * 3,
        live_reservations: 0,
      });
    } finally {
      ctx.clock.set('2030-06-01T12:00:00Z');
    }
  });

  it('the background sweeper releases a lapsed hold with no manual step', async () => {
    const event = await createEvent(ctx, { name: 'Sweeper' });
    const order = await placeOrder(ctx, event.id, { table_id: event.tables[0]!.id });
    ctx.clock.advance(601_000);
    const stop = startSweeper(ctx.deps, 20, (m) => {
      throw new Error(m);
    });
    try {
      // Wait for the outcome (not for a fixed time): the sweeper runs on its own timer.
      for (let i = 0; i < 250; i++) {
        const view = (
          await ctx.app.inject({ url: `/api/v1/orders/${order.order_id}`, headers: bearer(order.manage_token) })
        ).json();
        if (view.status === 'expired') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const view = (
        await ctx.app.inject({ url: `/api/v1/orders/${order.order_id}`, headers: bearer(order.manage_token) })
      ).json();
      expect(view.status).toBe('expired');
      expect(view.reservation.status).toBe('cancelled');
    } finally {
      await stop();
      ctx.clock.set('2030-06-01T12:00:00Z');
    }
  });
});
