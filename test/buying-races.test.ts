import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { createEvent, startTestApp, type TestContext } from './support/harness.js';
import { databaseLabel } from './support/database.js';

/**
 * Real races: every request is in flight at once against a pool as wide as the crowd, so on
 * PostgreSQL they truly contend for the same rows. Exactly one buyer may win a table, and GA never
 * oversells, whatever the interleaving.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp({ poolSize: 60 });
});
afterAll(() => ctx.close());

const order = (eventId: string, body: Record<string, unknown>, i: number) =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/orders`,
    // A crowd: each buyer on a connection of their own.
    remoteAddress: `10.1.${i >> 8}.${i & 255}`,
    payload: { email: `buyer${i}@example.com`, name: `Buyer ${i}`, ga_quantity: 1, ...body },
  });

describe(`buying races (${databaseLabel})`, () => {
  it('50 concurrent orders for one table: exactly 1 hold, 49 table_unavailable', async () => {
    const event = await createEvent(ctx);
    const table = event.tables[0]!;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => order(event.id, { table_id: table.id }, i)));
    const codes = results.map((r) => (r.statusCode === 201 ? 'held' : r.json().error.code));
    expect(codes.filter((c) => c === 'held')).toHaveLength(1);
    expect(codes.filter((c) => c === 'table_unavailable')).toHaveLength(49);
    const [row] = await queryRows<{ active: number; orders: number; sold: number }>(
      ctx.database.db,
      sql`SELECT (SELECT count(*)::int FROM reservations WHERE event_table_id = ${table.id}) AS active,
                 (SELECT count(*)::int FROM orders WHERE event_id = ${event.id}) AS orders,
                 (SELECT ga_sold FROM events WHERE id = ${event.id}) AS sold`,
    );
    // The losers' GA places were never taken: their transactions rolled back whole.
    expect(row).toEqual({ active: 1, orders: 1, sold: 1 });
  });

  it('300 concurrent single-ticket GA orders against capacity 200: exactly 200 sold', async () => {
    const event = await createEvent(ctx, { ga: { price_cents: 1000, capacity: 200 }, tables: [] });
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => order(event.id, {}, i)));
    const codes = results.map((r) => (r.statusCode === 201 ? 'ok' : r.json().error.code));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(200);
    // Every place is held by an unpaid order that may still lapse: the room is not sold out yet.
    expect(codes.filter((c) => c === 'in_checkouts')).toHaveLength(100);
    const [row] = await queryRows<{ tickets: number; sold: number }>(
      ctx.database.db,
      sql`SELECT (SELECT count(*)::int FROM tickets WHERE event_id = ${event.id}) AS tickets,
                 (SELECT ga_sold FROM events WHERE id = ${event.id}) AS sold`,
    );
    expect(row).toEqual({ tickets: 200, sold: 200 });
  });
});
