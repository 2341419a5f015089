import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDoors, scan } from './support/door.js';
import { doorLink } from './support/guests.js';
import { bearer, buyPaid, createEvent, placeOrder, startTestApp, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

describe("the owner's summary of a night", () => {
  it('adds up sales and money, first entries by door and per quarter hour, and every capacity override with who and when', async () => {
    const event = await createEvent(ctx);
    const ga = await buyPaid(ctx, event.id, { ga_quantity: 3, name: 'Ga Group' });
    // Silver seats 4: the host and three guests; the fourth guest needs an override at the door.
    const table = await buyPaid(ctx, event.id, { ga_quantity: 4, table_id: event.tables[2]!.id, name: 'Tess Table' });
    await placeOrder(ctx, event.id, { ga_quantity: 2 }); // unpaid: no revenue
    openDoors(ctx, event);
    await scan(ctx, ga.view.tickets[0]!.qr!, 'door-a');
    await scan(ctx, ga.view.tickets[1]!.qr!, 'door-b');
    await scan(ctx, ga.view.tickets[1]!.qr!, 'door-a'); // rejected: already in
    await scan(ctx, table.view.tickets.find((t) => t.is_host)!.qr!, 'door-a');
    const res = await doorLink(ctx, table.view.reservation!.id, ga.view.tickets[2]!.id, ctx.staffToken, true);
    expect(res.statusCode, res.body).toBe(200);

    const summary = await ctx.app.inject({ url: `/api/v1/events/${event.id}/summary`, headers: bearer(ctx.ownerToken) });
    expect(summary.statusCode, summary.body).toBe(200);
    const s = summary.json();
    expect(s.sales).toEqual({ ga_sold: 9, ga_capacity: 200, orders_paid: 2, revenue_cents: 3 * 2000 + 4 * 2000 + 20000, refunded_cents: 0, tables_sold: 1, tables_total: 3 });
    expect(s.door.admitted).toBe(3);
    expect(s.door.by_door).toEqual([
      { scanner_id: 'door-a', admitted: 2 },
      { scanner_id: 'door-b', admitted: 1 },
    ]);
    expect(s.door.over_time.reduce((n: number, b: { admitted: number }) => n + b.admitted, 0)).toBe(3);
    expect(s.overrides).toEqual([{ at: expect.any(String), by: 'staff@test.local', guest_name: 'Ga Group', table_number: 3 }]);

    expect((await ctx.app.inject({ url: `/api/v1/events/${event.id}/summary`, headers: bearer(ctx.staffToken) })).statusCode).toBe(403);
    expect((await ctx.app.inject({ url: '/api/v1/events/00000000-0000-4000-8000-000000000000/summary', headers: bearer(ctx.ownerToken) })).statusCode).toBe(404);
  });
});
