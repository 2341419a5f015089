import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from './support/database.js';
import { createEvent, startTestApp, type EventInfo, type TestContext } from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

/**
 * Anonymous buyers hold stock while they pay, so holding it for nobody must stay slow and small:
 * orders per client address and per e-mail per minute, one unpaid table per e-mail per event, and
 * a cap on tickets per order (defaults here: 4 per address, 2 per e-mail, 10 tickets).
 */
let ctx: TestContext;
let event: EventInfo;
beforeAll(async () => {
  ctx = await startTestApp({
    poolSize: 20,
    env: {
      VELVET_ORDERS_PER_MINUTE_PER_ADDRESS: '4',
      VELVET_ORDERS_PER_MINUTE_PER_EMAIL: '2',
      VELVET_MAX_TICKETS_PER_ORDER: '10',
    },
  });
  event = await createEvent(ctx);
});
afterAll(() => ctx.close());

const order = (body: Record<string, unknown>, ip = '203.0.113.1') =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${event.id}/orders`,
    remoteAddress: ip,
    payload: { name: 'H', ga_quantity: 1, ...body },
  });

describe('order placement limits', () => {
  it('per e-mail: the third order a minute from one e-mail (any case) is 429, from any address, and holds nothing', async () => {
    expect((await order({ email: 'hoard@x.test' }, '203.0.113.10')).statusCode).toBe(201);
    expect((await order({ email: 'HOARD@x.test' }, '203.0.113.11')).statusCode).toBe(201);
    const before = await dumpTables(ctx.database.db);
    const third = await order({ email: 'hoard@x.test' }, '203.0.113.12');
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe('rate_limited');
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });

  it('per address: the fifth order a minute from one address is 429, whatever the e-mails', async () => {
    for (let i = 0; i < 4; i++) expect((await order({ email: `a${i}@x.test` }, '198.51.100.7')).statusCode).toBe(201);
    const fifth = await order({ email: 'a5@x.test' }, '198.51.100.7');
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().error.code).toBe('rate_limited');
  });

  it('one unpaid table per e-mail per event: a second table order is 409 pending_table_order and holds nothing', async () => {
    expect((await order({ email: 'vip@x.test', table_id: event.tables[0]!.id }, '192.0.2.1')).statusCode).toBe(201);
    const before = await dumpTables(ctx.database.db);
    const second = await order({ email: 'Vip@X.test', table_id: event.tables[1]!.id }, '192.0.2.2');
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('pending_table_order');
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });

  it('tickets per order are capped: 11 is 409 too_many_tickets and holds nothing', async () => {
    const before = await dumpTables(ctx.database.db);
    const res = await order({ email: 'crowd@x.test', ga_quantity: 11 }, '192.0.2.50');
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'too_many_tickets', details: { ga_quantity: 'at most 10' } });
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });
});

describe.skipIf(!onPostgres)('one unpaid table per e-mail, under a race (PostgreSQL)', () => {
  it('ten simultaneous table orders from one e-mail for ten tables: exactly one holds', async () => {
    const race = await startTestApp({
      poolSize: 20,
      env: { VELVET_ORDERS_PER_MINUTE_PER_ADDRESS: '1000', VELVET_ORDERS_PER_MINUTE_PER_EMAIL: '1000' },
    });
    try {
      const ev = await createEvent(race, {
        tables: Array.from({ length: 10 }, (_, i) => ({ number: i + 1, tier: 'Gold', x: i, y: 0 })),
      });
      const answers = await Promise.all(
        ev.tables.map((t, i) =>
          race.app.inject({
            method: 'POST',
            url: `/api/v1/events/${ev.id}/orders`,
            remoteAddress: `10.0.0.${i}`,
            payload: { email: 'same@x.test', name: 'S', ga_quantity: 1, table_id: t.id },
          }),
        ),
      );
      expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
      expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().error.code)).toEqual(
        Array(9).fill('pending_table_order'),
      );
    } finally {
      await race.close();
    }
  });
});
