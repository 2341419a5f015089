import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancellationProgress, doorFigures } from '../src/domain/night-figures.js';
import type { CachedTicket } from '../src/domain/scanner-cache.js';
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

    const summary = await ctx.app.inject({
      url: `/api/v1/events/${event.id}/summary`,
      headers: bearer(ctx.ownerToken),
    });
    expect(summary.statusCode, summary.body).toBe(200);
    const s = summary.json();
    expect(s.sales).toEqual({
      ga_sold: 9,
      ga_capacity: 200,
      orders_paid: 2,
      revenue_cents: 3 * 2000 + 4 * 2000 + 20000,
      refunded_cents: 0,
      tables_sold: 1,
      tables_total: 3,
    });
    expect(s.door.admitted).toBe(3);
    expect(s.door.by_door).toEqual([
      { scanner_id: 'door-a', admitted: 2 },
      { scanner_id: 'door-b', admitted: 1 },
    ]);
    expect(s.door.over_time.reduce((n: number, b: { admitted: number }) => n + b.admitted, 0)).toBe(3);
    expect(s.overrides).toEqual([
      { at: expect.any(String), by: 'staff@test.local', guest_name: 'Ga Group', table_number: 3 },
    ]);

    expect(
      (await ctx.app.inject({ url: `/api/v1/events/${event.id}/summary`, headers: bearer(ctx.staffToken) })).statusCode,
    ).toBe(403);
    expect(
      (
        await ctx.app.inject({
          url: '/api/v1/events/00000000-0000-4000-8000-000000000000/summary',
          headers: bearer(ctx.ownerToken),
        })
      ).statusCode,
    ).toBe(404);
  });

  it('the dashboard, the door and the cancellation screens give the same figures for the same night', async () => {
    const event = await createEvent(ctx);
    const groups = await Promise.all(
      [1, 2, 3].map((i) => buyPaid(ctx, event.id, { ga_quantity: 3, name: `Group ${i}` })),
    );
    const host = await buyPaid(ctx, event.id, { ga_quantity: 1, table_id: event.tables[0]!.id, name: 'Hal Host' });
    openDoors(ctx, event);
    const [a, b, c] = groups.map((g) => g.view.tickets);
    await scan(ctx, a![0]!.qr!, 'door-a');
    await scan(ctx, a![1]!.qr!, 'door-b');
    await scan(ctx, a![1]!.qr!, 'door-a'); // refused: already in
    await scan(ctx, host.view.tickets[0]!.qr!, 'door-a');
    await scan(ctx, host.view.tickets[0]!.qr!, 'door-b'); // the host's re-entry
    // Let in by name (manual), and offline at a door that did not know b[0] was in already.
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: '/api/v1/scans',
          headers: bearer(ctx.staffToken),
          payload: { ticket_id: b![1]!.id, scanner_id: 'door-b', event_id: event.id },
        })
      ).statusCode,
    ).toBe(200);
    await scan(ctx, b![0]!.qr!, 'door-a');
    const at = new Date(ctx.clock.now().getTime() - 60_000).toISOString();
    const batch = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans/batch',
      headers: bearer(ctx.staffToken),
      payload: {
        scanner_id: 'door-c',
        event_id: event.id,
        scans: [
          { qr: b![0]!.qr, scanned_at: at, offline_result: 'admitted' },
          { qr: c![0]!.qr, scanned_at: at, offline_result: 'admitted' },
        ],
      },
    });
    expect(batch.statusCode, batch.body).toBe(200);
    // Group 3 is refunded with one of its people inside: that one stays admitted, the others are void.
    const refund = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${groups[2]!.order_id}/refund`,
      headers: bearer(ctx.ownerToken),
      payload: { amount_cents: 6000 },
    });
    expect(refund.statusCode, refund.body).toBe(202);

    const s = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/summary`, headers: bearer(ctx.ownerToken) })
    ).json();
    const cache = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/scanner-cache`, headers: bearer(ctx.staffToken) })
    ).json();
    const tickets = cache.tickets as CachedTicket[];
    const door = (id: string) => doorFigures(tickets, id);
    expect(s.door.admitted).toBe(door('door-a').admitted);
    expect(s.door.admitted).toBe(6); // a0, a1, the host, b1, b0 (first at door-c, offline), c0
    for (const d of s.door.by_door as Array<{ scanner_id: string; admitted: number }>)
      expect(d.admitted, d.scanner_id).toBe(door(d.scanner_id).byThisDoor);
    expect((s.door.by_door as Array<{ admitted: number }>).reduce((n, d) => n + d.admitted, 0)).toBe(s.door.admitted);
    expect((s.door.over_time as Array<{ admitted: number }>).reduce((n, d) => n + d.admitted, 0)).toBe(s.door.admitted);
    expect(door('door-a').tablesArrived).toBe(1);
    expect(s.sales.tables_sold).toBe(door('door-a').tablesReserved);

    // Cancelling a future night after one order was refunded on its own: the cancellation's progress
    // covers exactly what its preview promised; the earlier refund is counted beside it.
    const inTwoDays = ctx.clock.now().getTime() + 2 * 86_400_000;
    const later = await createEvent(ctx, {
      name: 'Later Night',
      starts_at: new Date(inTwoDays).toISOString(),
      ends_at: new Date(inTwoDays + 6 * 3_600_000).toISOString(),
    });
    const orders = await Promise.all([2, 1, 3].map((n) => buyPaid(ctx, later.id, { ga_quantity: n })));
    const single = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${orders[0]!.order_id}/refund`,
      headers: bearer(ctx.ownerToken),
      payload: { amount_cents: 4000 },
    });
    expect(single.statusCode, single.body).toBe(202);
    const preview = (
      await ctx.app.inject({ url: `/api/v1/events/${later.id}/cancellation`, headers: bearer(ctx.ownerToken) })
    ).json();
    const cancelled = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${later.id}/cancel`,
      headers: bearer(ctx.ownerToken),
      payload: { confirmation_token: preview.confirmation_token },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(202);
    const refunds = (
      await ctx.app.inject({ url: `/api/v1/events/${later.id}/refunds`, headers: bearer(ctx.ownerToken) })
    ).json();
    const progress = cancellationProgress(refunds.items);
    expect(progress).toMatchObject({
      orders: preview.orders,
      totalCents: preview.refund_total_cents,
      earlier: { orders: 1, cents: 4000 },
    });
    expect(preview).toMatchObject({ orders: 2, refund_total_cents: 8000 });
  });
});
