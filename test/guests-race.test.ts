import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { bearer, buyPaid, createEvent, startTestApp, type EventInfo, type TestContext } from './support/harness.js';
import { errorCode, linkTicket } from './support/guests.js';

/**
 * Concurrent links, truly in parallel on PostgreSQL (a pool wider than the number of requests).
 * Without the reservation row lock in services/guests/link.ts the capacity test links more than
 * seven (checked by removing the lock); the same-ticket test is held by the ticket lock and, behind
 * it, the one-active-link-per-ticket unique index.
 */
const RACERS = 30;
let ctx: TestContext;
let event: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp({ poolSize: RACERS + 10 });
  event = await createEvent(ctx, {
    ga: { price_cents: 1000, capacity: 500 },
    tiers: [{ name: 'Ten', price_cents: 10000, capacity: 10 }],
    tables: [
      { number: 1, tier: 'Ten', x: 0, y: 0 },
      { number: 2, tier: 'Ten', x: 10, y: 0 },
      { number: 3, tier: 'Ten', x: 20, y: 0 },
    ],
  });
});
afterAll(() => ctx.close());

const table = (n: number) => event.tables.find((t) => t.number === n)!.id;

async function activeLinks(where: 'reservation' | 'ticket', id: string) {
  const column = sql.raw(where === 'reservation' ? 'reservation_id' : 'ticket_id');
  const [row] = await queryRows<{ active: number; total: number }>(
    ctx.database.db,
    sql`SELECT count(*) FILTER (WHERE unlinked_at IS NULL)::int AS active, count(*)::int AS total FROM guest_links WHERE ${column} = ${id}`,
  );
  return row!;
}

/** Paid GA tickets, several per order; each comes with its order's token. */
async function buyTickets(n: number, perOrder = 15): Promise<Array<{ id: string; token: string }>> {
  const out: Array<{ id: string; token: string }> = [];
  for (let left = n; left > 0; left -= perOrder) {
    const b = await buyPaid(ctx, event.id, { ga_quantity: Math.min(left, perOrder), name: `Crowd ${left}` });
    out.push(...b.view.tickets.map((t) => ({ id: t.id, token: b.manage_token })));
  }
  return out;
}

describe('concurrent links', () => {
  it(`${RACERS} different tickets racing for a table with 7 free places: exactly 7 linked, the rest table_full`, async () => {
    const host = await buyPaid(ctx, event.id, { name: 'Host', table_id: table(1) });
    const code = host.view.reservation!.invite_code;
    const reservationId = host.view.reservation!.id;
    // Capacity 10 is 9 guest places; two are taken beforehand, leaving 7.
    for (const t of await buyTickets(2)) expect((await linkTicket(ctx, t.id, t.token, code)).statusCode).toBe(200);

    const crowd = await buyTickets(RACERS);
    const results = await Promise.all(crowd.map((t) => linkTicket(ctx, t.id, t.token, code)));

    const codes = results.map((r) => (r.statusCode === 200 ? 'linked' : `${r.statusCode} ${errorCode(r)}`));
    expect(codes.filter((c) => c === 'linked')).toHaveLength(7);
    expect(codes.filter((c) => c === '409 table_full')).toHaveLength(RACERS - 7);
    expect(await activeLinks('reservation', reservationId)).toEqual({ active: 9, total: 9 });
    const plan = await ctx.app.inject({
      url: `/api/v1/events/${event.id}/floor-plan`,
      headers: bearer(ctx.ownerToken),
    });
    expect(plan.json().tables.find((t: { number: number }) => t.number === 1).guests_linked).toBe(9);
  });

  it('one ticket racing onto two tables (20 requests, alternating): exactly one link', async () => {
    const a = await buyPaid(ctx, event.id, { name: 'Host A', table_id: table(2) });
    const b = await buyPaid(ctx, event.id, { name: 'Host B', table_id: table(3) });
    const codes = [a.view.reservation!.invite_code, b.view.reservation!.invite_code];
    const [ticket] = await buyTickets(1);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => linkTicket(ctx, ticket!.id, ticket!.token, codes[i % 2]!)),
    );

    const winners = results.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409 && errorCode(r) === 'ticket_already_linked')).toHaveLength(19);
    expect(await activeLinks('ticket', ticket!.id)).toEqual({ active: 1, total: 1 });
    const linkedTo = winners[0]!.json().reservation_id as string;
    expect([a.view.reservation!.id, b.view.reservation!.id]).toContain(linkedTo);
  });
});
