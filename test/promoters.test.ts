import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { openDoors, scan } from './support/door.js';
import { errorCode } from './support/guests.js';
import { drainRefunds } from './support/stripe-flow.js';
import { bearer, createEvent, payOrder, placeOrder, startTestApp, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

const addPromoter = (body: Record<string, unknown>, token = ctx.ownerToken) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/promoters', headers: bearer(token), payload: body });
const promoterOf = async (orderId: string) =>
  (
    await queryRows<{ code: string | null }>(
      ctx.database.db,
      sql`SELECT p.code FROM orders o LEFT JOIN promoters p ON p.id = o.promoter_id WHERE o.id = ${orderId}`,
    )
  )[0]!.code;

describe('promoters', () => {
  it('the owner adds promoters with codes unique in any case; refusals store nothing', async () => {
    const max = await addPromoter({ name: 'Max Promo', code: 'MAX' });
    expect(max.statusCode, max.body).toBe(201);
    expect(max.json()).toMatchObject({ name: 'Max Promo', code: 'max', link: 'http://velvet.test/?p=max' });
    const again = await addPromoter({ name: 'Other Max', code: 'Max' });
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('promoter_code_taken');
    for (const code of ['a', 'no spaces', '-dash-first', 'x'.repeat(33), 'ümlaut']) {
      const res = await addPromoter({ name: 'Bad', code });
      expect(res.statusCode, code).toBe(400);
    }
    expect((await addPromoter({ name: 'Staff cannot', code: 'staffer' }, ctx.staffToken)).statusCode).toBe(403);
    const list = (await ctx.app.inject({ url: '/api/v1/promoters', headers: bearer(ctx.ownerToken) })).json().promoters;
    expect(list.map((p: { code: string }) => p.code)).toEqual(['max']);
  });

  it("orders through a link count for its promoter (an unknown code for nobody); the night's figures and CSV add them up", async () => {
    await addPromoter({ name: 'Lea Loud', code: 'lea-x' });
    const event = await createEvent(ctx);
    const viaMax = await placeOrder(ctx, event.id, { ga_quantity: 2, promoter_code: 'MAX' });
    const viaMaxTable = await placeOrder(ctx, event.id, {
      ga_quantity: 1,
      table_id: event.tables[0]!.id,
      promoter_code: 'max',
    });
    const viaMaxUnpaid = await placeOrder(ctx, event.id, { ga_quantity: 1, promoter_code: 'max' });
    const viaLea = await placeOrder(ctx, event.id, { ga_quantity: 3, promoter_code: 'LEA-X' });
    const unknown = await placeOrder(ctx, event.id, { ga_quantity: 1, promoter_code: 'nobody' });
    const direct = await placeOrder(ctx, event.id, { ga_quantity: 1 });
    expect(await promoterOf(viaMax.order_id)).toBe('max');
    expect(await promoterOf(viaMaxTable.order_id)).toBe('max');
    expect(await promoterOf(viaLea.order_id)).toBe('lea-x');
    expect(await promoterOf(unknown.order_id)).toBeNull();
    expect(await promoterOf(direct.order_id)).toBeNull();
    void viaMaxUnpaid;
    const paidMax = await payOrder(ctx, viaMax);
    await payOrder(ctx, viaMaxTable);
    const paidLea = await payOrder(ctx, viaLea);
    await payOrder(ctx, unknown);
    await payOrder(ctx, direct);

    // One of Max's buyers comes in; one of Lea's orders is refunded by the owner.
    openDoors(ctx, event);
    expect((await scan(ctx, paidMax.tickets[0].qr)).result).toBe('admitted');
    const refund = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${viaLea.order_id}/refund`,
      headers: bearer(ctx.ownerToken),
      payload: { amount_cents: paidLea.amount_cents },
    });
    expect(refund.statusCode, refund.body).toBe(202);
    await drainRefunds(ctx);

    const figures = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/promoters`, headers: bearer(ctx.ownerToken) })
    ).json();
    expect(figures.currency).toBe('EUR');
    const by = Object.fromEntries(figures.promoters.map((p: { code: string }) => [p.code, p]));
    expect(by.max).toMatchObject({
      orders: 2,
      tickets: 3,
      tables: 1,
      revenue_cents: 2 * 2000 + 2000 + 50000,
      refunded_cents: 0,
      admitted: 1,
    });
    expect(by['lea-x']).toMatchObject({
      orders: 1,
      tickets: 3,
      tables: 0,
      revenue_cents: 6000,
      refunded_cents: 6000,
      admitted: 0,
    });

    const csv = await ctx.app.inject({
      url: `/api/v1/events/${event.id}/export/promoters.csv`,
      headers: bearer(ctx.ownerToken),
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('promoter,code,orders,tickets,tables,revenue,refunded,currency,admitted');
    expect(lines).toContain('Max Promo,max,2,3,1,560.00,0.00,EUR,1');
    expect(lines).toContain('Lea Loud,lea-x,1,3,0,60.00,60.00,EUR,0');
  });
});
