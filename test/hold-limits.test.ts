import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, payOrder, startTestApp, type EventInfo, type TestContext } from './support/harness.js';
import { dumpTables } from './support/snapshot.js';
import { queryRows } from '../src/db/database.js';

/**
 * Holding stock costs the hoarder, not the buyers (place-order.service.ts): one client (address,
 * proxy-aware; an IPv6 /64) holds at most VELVET_UNPAID_TICKETS_PER_ADDRESS unpaid tickets, one
 * unpaid table, and at most VELVET_HOLD_SHARE of what is not paid for, in one event, across any
 * number of e-mails. A room whose last places are all in checkouts says so (`in_checkouts`, with
 * when to try again), never `sold_out`.
 */
const LIMITS = {
  VELVET_ORDERS_PER_MINUTE_PER_ADDRESS: '1000',
  VELVET_ORDERS_PER_MINUTE_PER_EMAIL: '1000',
  VELVET_MAX_TICKETS_PER_ORDER: '10',
  VELVET_UNPAID_TICKETS_PER_ADDRESS: '20',
  VELVET_UNPAID_TABLES_PER_ADDRESS: '1',
  VELVET_HOLD_SHARE: '0.5',
};

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp({ poolSize: 40, env: { ...LIMITS, VELVET_TRUST_PROXY: '1' } });
});
afterAll(() => ctx.close());

let emails = 0;
function order(eventId: string, body: Record<string, unknown>, from: { ip?: string; forwardedFor?: string } = {}) {
  return ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/orders`,
    remoteAddress: from.ip ?? '198.51.100.9',
    headers: from.forwardedFor ? { 'x-forwarded-for': from.forwardedFor } : {},
    payload: { email: `rotating-${++emails}@hoard.test`, name: 'H', ga_quantity: 1, ...body },
  });
}

/** The night of the report: 12 tables and 250 GA places. */
function roomOf12(): Promise<EventInfo> {
  return createEvent(ctx, {
    ga: { price_cents: 1500, capacity: 250 },
    tables: Array.from({ length: 12 }, (_, i) => ({ number: i + 1, tier: i < 6 ? 'Gold' : 'Silver', x: i * 8, y: 10 })),
  });
}

async function heldBy(eventId: string) {
  const [held] = await queryRows<{ tickets: number; tables: number; clients: number }>(
    ctx.database.db,
    sql`SELECT coalesce(sum(ga_quantity), 0)::int AS tickets, count(event_table_id)::int AS tables, count(DISTINCT client_key)::int AS clients
          FROM orders WHERE event_id = ${eventId} AND status = 'pending'`,
  );
  return held!;
}

describe('one client cannot hold the room', () => {
  it('replays the attack: 30 orders at once from one address with rotating e-mails hold one table and 20 tickets; a real buyer still gets a ticket and a table', async () => {
    const event = await roomOf12();
    const attack = await Promise.all([
      ...event.tables.map((t) => order(event.id, { ga_quantity: 10, table_id: t.id }, { ip: '203.0.113.66' })),
      ...Array.from({ length: 18 }, () => order(event.id, { ga_quantity: 10 }, { ip: '203.0.113.66' })),
    ]);
    const held = await heldBy(event.id);
    expect(held.tables).toBe(1);
    expect(held.tickets).toBeLessThanOrEqual(20);
    expect(held.clients).toBe(1);
    const refused = attack.filter((a) => a.statusCode !== 201);
    expect(new Set(refused.map((a) => a.json().error.code))).toEqual(new Set(['pending_table_order', 'hold_limit']));
    expect(refused.every((a) => a.statusCode === 409)).toBe(true);

    const buyer = await order(event.id, { ga_quantity: 2 }, { ip: '192.0.2.20' });
    expect(buyer.statusCode, buyer.body).toBe(201);
    const host = await order(event.id, { ga_quantity: 4, table_id: event.tables.at(-1)!.id }, { ip: '192.0.2.21' });
    expect(host.statusCode, host.body).toBe(201);
  });

  it('a refused hold names the limit and changes nothing; paying frees the client to hold again', async () => {
    const event = await roomOf12();
    const a = await order(event.id, { ga_quantity: 10 }, { ip: '203.0.113.70' });
    const b = await order(event.id, { ga_quantity: 10 }, { ip: '203.0.113.70' });
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const before = await dumpTables(ctx.database.db);
    const third = await order(event.id, { ga_quantity: 1 }, { ip: '203.0.113.70' });
    expect(third.statusCode).toBe(409);
    expect(third.json().error).toMatchObject({ code: 'hold_limit', details: { held: 20, allowed: 0 } });
    expect(await dumpTables(ctx.database.db)).toEqual(before);
    await payOrder(ctx, a.json());
    expect((await order(event.id, { ga_quantity: 10 }, { ip: '203.0.113.70' })).statusCode).toBe(201);
  });

  it('counts an IPv6 client by its /64', async () => {
    const event = await roomOf12();
    expect(
      (await order(event.id, { ga_quantity: 1, table_id: event.tables[0]!.id }, { ip: '2001:db8:1:2::a' })).statusCode,
    ).toBe(201);
    const other = await order(
      event.id,
      { ga_quantity: 1, table_id: event.tables[1]!.id },
      { ip: '2001:db8:1:2:ffff::b' },
    );
    expect(other.json().error?.code).toBe('pending_table_order');
    expect(
      (await order(event.id, { ga_quantity: 1, table_id: event.tables[1]!.id }, { ip: '2001:db8:1:3::a' })).statusCode,
    ).toBe(201);
  });

  it('near the end one client may hold at most the configured share of what is not paid for', async () => {
    const event = await createEvent(ctx, { ga: { price_cents: 1500, capacity: 12 } });
    // 12 not paid for: half is 6.
    const big = await order(event.id, { ga_quantity: 8 }, { ip: '203.0.113.80' });
    expect(big.json().error).toMatchObject({ code: 'hold_limit', details: { held: 0, allowed: 6 } });
    expect((await order(event.id, { ga_quantity: 6 }, { ip: '203.0.113.80' })).statusCode).toBe(201);
    expect((await order(event.id, { ga_quantity: 1 }, { ip: '203.0.113.80' })).json().error.code).toBe('hold_limit');
    // Another client may hold half of the 12 too; the last place goes to a third, one at a time.
    expect((await order(event.id, { ga_quantity: 5 }, { ip: '203.0.113.81' })).statusCode).toBe(201);
    expect((await order(event.id, { ga_quantity: 1 }, { ip: '203.0.113.82' })).statusCode).toBe(201);
  });
});

describe('a room held by checkouts is not sold out', () => {
  it('answers in_checkouts with when to try again while unpaid holds could lapse, and sold_out only when paid orders fill it', async () => {
    const event = await createEvent(ctx, { ga: { price_cents: 1500, capacity: 6 } });
    const held = [];
    for (let i = 0; i < 3; i++) {
      const res = await order(event.id, { ga_quantity: 2 }, { ip: `203.0.113.${90 + i}` });
      expect(res.statusCode, res.body).toBe(201);
      held.push(res.json());
    }
    const before = await dumpTables(ctx.database.db);
    const late = await order(event.id, { ga_quantity: 1 }, { ip: '192.0.2.99' });
    expect(late.statusCode).toBe(409);
    const error = late.json().error;
    expect(error.code).toBe('in_checkouts');
    expect(error.message).toMatch(/in other buyers' checkouts.*try again in 10 minutes/);
    expect(error.details).toMatchObject({ available: 0, in_checkouts: 6, retry_after_seconds: 600 });
    expect(late.headers['retry-after']).toBe('600');
    expect(await dumpTables(ctx.database.db)).toEqual(before);

    ctx.clock.advance(240_000);
    expect(
      (await order(event.id, { ga_quantity: 1 }, { ip: '192.0.2.99' })).json().error.details.retry_after_seconds,
    ).toBe(360);
    for (const h of held) await payOrder(ctx, h);
    const after = await order(event.id, { ga_quantity: 1 }, { ip: '192.0.2.99' });
    expect(after.json().error).toMatchObject({ code: 'sold_out', details: { available: 0 } });
  });
});

describe('the client is the address a trusted proxy names', () => {
  it('with VELVET_TRUST_PROXY=1 each forwarded client is its own; without it, X-Forwarded-For is ignored', async () => {
    const event = await roomOf12();
    const viaProxy = await Promise.all(
      event.tables
        .slice(0, 3)
        .map((t, i) => order(event.id, { table_id: t.id }, { ip: '10.0.0.2', forwardedFor: `192.0.2.${40 + i}` })),
    );
    expect(viaProxy.map((r) => r.statusCode)).toEqual([201, 201, 201]);

    const direct = await startTestApp({ env: LIMITS });
    try {
      const ev = await createEvent(direct);
      const forged = [];
      for (const t of ev.tables.slice(0, 2)) {
        forged.push(
          await direct.app.inject({
            method: 'POST',
            url: `/api/v1/events/${ev.id}/orders`,
            remoteAddress: '203.0.113.5',
            headers: { 'x-forwarded-for': `192.0.2.${forged.length + 1}` },
            payload: { email: `forged-${forged.length}@hoard.test`, name: 'F', ga_quantity: 1, table_id: t.id },
          }),
        );
      }
      expect(forged.map((r) => r.statusCode)).toEqual([201, 409]);
      expect(forged[1]!.json().error.code).toBe('pending_table_order');
    } finally {
      await direct.close();
    }
  });
});
