import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireHolds } from '../src/services/orders/expire-holds.service.js';
import {
  bearer,
  buyPaid,
  createEvent,
  placeOrder,
  startTestApp,
  type EventInfo,
  type TestContext,
  floorTables,
} from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

let ctx: TestContext;
let event: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
});
afterAll(() => ctx.close());

const floorPlan = async () => ({ tables: await floorTables(ctx, event.id) });

describe('buying', () => {
  it('holds GA capacity and prices the order', async () => {
    const order = await placeOrder(ctx, event.id, { ga_quantity: 3 });
    expect(order.amount_cents).toBe(6000);
    const view = (
      await ctx.app.inject({ url: `/api/v1/orders/${order.order_id}`, headers: bearer(order.manage_token) })
    ).json();
    expect(view.status).toBe('pending');
    expect(view.tickets).toHaveLength(3);
    expect(view.tickets.every((t: { status: string; qr: unknown }) => t.status === 'pending' && t.qr === null)).toBe(
      true,
    );
    const ev = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json();
    expect(ev.ga.sold).toBe(3);
  });

  it('sells a table with the purchaser ticket as the VIP code, and shows it on the floor plan', async () => {
    const table = event.tables.find((t) => t.number === 1)!;
    const placed = await placeOrder(ctx, event.id, { ga_quantity: 2, table_id: table.id });
    expect(placed.amount_cents).toBe(2 * 2000 + 50000);
    expect((await floorPlan()).tables.find((t) => t.id === table.id)!.status).toBe('held');

    const second = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/orders`,
      payload: { email: 'b@example.com', name: 'B', ga_quantity: 1, table_id: table.id },
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('table_unavailable');

    const paid = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${placed.order_id}/pay-local`,
      headers: bearer(placed.manage_token),
    });
    expect(paid.statusCode).toBe(200);
    const view = paid.json();
    expect(view.status).toBe('paid');
    expect(view.reservation.status).toBe('confirmed');
    expect(view.reservation.invite_code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    expect(view.tickets.filter((t: { is_host: boolean }) => t.is_host)).toHaveLength(1);
    expect(
      view.tickets.every((t: { status: string; qr: string }) => t.status === 'valid' && t.qr.startsWith('V1.')),
    ).toBe(true);
    expect((await floorPlan()).tables.find((t) => t.id === table.id)!.status).toBe('reserved');

    const svg = await ctx.app.inject({
      url: `/api/v1/tickets/${view.tickets[0].id}/qr.svg?token=${placed.manage_token}`,
    });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toContain('<svg');
  });

  it('refuses a customer cancellation with sales_final and changes nothing', async () => {
    const order = await buyPaid(ctx, event.id);
    const before = await dumpTables(ctx.database.db);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.order_id}/cancel`,
      headers: bearer(order.manage_token),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('sales_final');
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });

  it('releases an unpaid hold once it expires (injected clock)', async () => {
    const table = event.tables.find((t) => t.number === 3)!;
    const placed = await placeOrder(ctx, event.id, { ga_quantity: 1, table_id: table.id });
    expect(await expireHolds(ctx.deps)).toBe(0);
    ctx.clock.advance(599_000);
    expect(await expireHolds(ctx.deps)).toBe(0);
    ctx.clock.advance(1_000);
    expect(await expireHolds(ctx.deps)).toBeGreaterThanOrEqual(1);
    const view = (
      await ctx.app.inject({ url: `/api/v1/orders/${placed.order_id}`, headers: bearer(placed.manage_token) })
    ).json();
    expect(view.status).toBe('expired');
    expect(view.tickets[0].status).toBe('void');
    expect(view.reservation.status).toBe('cancelled');
    expect((await floorPlan()).tables.find((t) => t.id === table.id)!.status).toBe('available');
    const late = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${placed.order_id}/pay-local`,
      headers: bearer(placed.manage_token),
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('order_expired');
    // The table can be sold again.
    await placeOrder(ctx, event.id, { table_id: table.id });
  });
});
