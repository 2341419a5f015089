import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../src/db/database.js';
import {
  edges,
  eventMachine,
  eventStatuses,
  orderMachine,
  orderStatuses,
  refundMachine,
  refundStatuses,
  reservationMachine,
  reservationStatuses,
  ticketMachine,
  ticketStatuses,
  type Machine,
} from '../src/domain/state-machine.js';
import { openTestDatabase } from './support/database.js';

/**
 * The database's own refusals, proven in plain SQL with no application code in between: whatever
 * a bug or a hand-written UPDATE tries, these states cannot happen.
 */
let database: Database;
let eventId: string;
let tierId: string;
let n = 0;

const one = async <T>(query: ReturnType<typeof sql>) => (await queryRows<T>(database.db, query))[0]!;
const exec = (query: ReturnType<typeof sql>) => database.db.execute(query);

async function newTable(): Promise<string> {
  n++;
  return (
    await one<{ id: string }>(sql`INSERT INTO event_tables (event_id, tier_id, number, x, y)
    VALUES (${eventId}, ${tierId}, ${n}, 0, 0) RETURNING id`)
  ).id;
}

async function newOrder(tableId: string | null = null): Promise<string> {
  n++;
  return (
    await one<{ id: string }>(sql`INSERT INTO orders (event_id, email, name, ga_quantity, event_table_id, amount_cents,
      currency, expires_at, manage_token_hash, payment_provider)
    VALUES (${eventId}, ${`buyer-${n}@b.c`}, 'A', 1, ${tableId}, 1000, 'EUR', now(), ${`hash-${n}`}, 'local') RETURNING id`)
  ).id;
}

async function newTicket(orderId: string): Promise<string> {
  return (
    await one<{ id: string }>(sql`INSERT INTO tickets (event_id, order_id, holder_name)
    VALUES (${eventId}, ${orderId}, 'A') RETURNING id`)
  ).id;
}

async function newReservation(): Promise<string> {
  const tableId = await newTable();
  const orderId = await newOrder(tableId);
  const ticketId = await newTicket(orderId);
  return (
    await one<{
      id: string;
    }>(sql`INSERT INTO reservations (event_id, event_table_id, order_id, host_ticket_id, invite_code)
    VALUES (${eventId}, ${tableId}, ${orderId}, ${ticketId}, ${inviteCode()}) RETURNING id`)
  ).id;
}

let codeCounter = 0;
function inviteCode(): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  let x = codeCounter++;
  let out = '';
  for (let i = 0; i < 8; i++) {
    out += alphabet[x % 32];
    x = Math.floor(x / 32);
  }
  return out;
}

async function newEvent(): Promise<string> {
  return (
    await one<{ id: string }>(sql`INSERT INTO events (name, starts_at, ends_at, currency, ga_price_cents, ga_capacity)
    VALUES ('E', now() + interval '1 day', now() + interval '2 days', 'EUR', 1000, 100) RETURNING id`)
  ).id;
}

async function newRefund(): Promise<string> {
  const orderId = await newOrder();
  return (
    await one<{
      id: string;
    }>(sql`INSERT INTO refunds (event_id, order_id, amount_cents, currency, reason, idempotency_key)
    VALUES (${eventId}, ${orderId}, 1000, 'EUR', 'event_cancelled', ${`refund-${orderId}`}) RETURNING id`)
  ).id;
}

async function sqlError(query: ReturnType<typeof sql>): Promise<{ code?: string; message: string } | null> {
  try {
    await exec(query);
    return null;
  } catch (err) {
    const cause =
      (err as { cause?: { code?: string; message: string } }).cause ?? (err as { code?: string; message: string });
    return { code: cause.code, message: cause.message };
  }
}

beforeAll(async () => {
  database = await openTestDatabase();
  eventId = await newEvent();
  tierId = (
    await one<{ id: string }>(sql`INSERT INTO tiers (event_id, name, price_cents, capacity)
    VALUES (${eventId}, 'Gold', 50000, 8) RETURNING id`)
  ).id;
});
afterAll(() => database.close());

describe('the schema refuses', () => {
  it('a second active reservation on one table', async () => {
    const first = await newReservation();
    const { event_table_id: tableId } = await one<{ event_table_id: string }>(
      sql`SELECT event_table_id FROM reservations WHERE id = ${first}`,
    );
    const orderId = await newOrder(tableId);
    const ticketId = await newTicket(orderId);
    const err =
      await sqlError(sql`INSERT INTO reservations (event_id, event_table_id, order_id, host_ticket_id, invite_code)
      VALUES (${eventId}, ${tableId}, ${orderId}, ${ticketId}, ${inviteCode()})`);
    expect(err?.code).toBe('23505');
    expect(err?.message).toContain('reservations_one_active_per_table');
    // Once the first is cancelled the table can be reserved again.
    await exec(sql`UPDATE reservations SET status = 'cancelled' WHERE id = ${first}`);
    expect(
      await sqlError(sql`INSERT INTO reservations (event_id, event_table_id, order_id, host_ticket_id, invite_code)
      VALUES (${eventId}, ${tableId}, ${orderId}, ${ticketId}, ${inviteCode()})`),
    ).toBeNull();
  });

  it.each([
    ['GA price', sql`UPDATE events SET ga_price_cents = -1`],
    ['tier price', sql`UPDATE tiers SET price_cents = -1`],
    ['minimum spend', sql`UPDATE tiers SET min_spend_cents = -5`],
    ['order amount', sql`UPDATE orders SET amount_cents = -100`],
    ['refunded more than paid', sql`UPDATE orders SET refunded_cents = amount_cents + 1`],
    ['negative refunded amount', sql`UPDATE orders SET refunded_cents = -1`],
    ['GA sold past capacity', sql`UPDATE events SET ga_sold = ga_capacity + 1`],
  ])('negative or impossible money and stock: %s', async (_name, query) => {
    await newOrder();
    await newRefund();
    const err = await sqlError(query);
    expect(err?.code).toBe('23514');
  });

  it('deleting an event or an account (the scan log refers to them without foreign keys)', async () => {
    const event = await newEvent();
    const eventErr = await sqlError(sql`DELETE FROM events WHERE id = ${event}`);
    expect(eventErr?.code).toBe('23001');
    expect(eventErr?.message).toContain('never deleted');
    const user = (
      await one<{ id: string }>(
        sql`INSERT INTO users (email, password_hash, role, name) VALUES (${`u-${n++}@b.c`}, 'x', 'staff', 'U') RETURNING id`,
      )
    ).id;
    expect((await sqlError(sql`DELETE FROM users WHERE id = ${user}`))?.code).toBe('23001');
    expect((await one<{ n: number }>(sql`SELECT count(*)::int AS n FROM users WHERE id = ${user}`)).n).toBe(1);
  });

  it('a zero or negative refund', async () => {
    const orderId = await newOrder();
    const err =
      await sqlError(sql`INSERT INTO refunds (event_id, order_id, amount_cents, currency, reason, idempotency_key)
      VALUES (${eventId}, ${orderId}, 0, 'EUR', 'event_cancelled', 'zero')`);
    expect(err?.code).toBe('23514');
  });

  it('a ticket linked to two reservations at once', async () => {
    const a = await newReservation();
    const b = await newReservation();
    const ticketId = await newTicket(await newOrder());
    await exec(
      sql`INSERT INTO guest_links (event_id, ticket_id, reservation_id) VALUES (${eventId}, ${ticketId}, ${a})`,
    );
    const err = await sqlError(
      sql`INSERT INTO guest_links (event_id, ticket_id, reservation_id) VALUES (${eventId}, ${ticketId}, ${b})`,
    );
    expect(err?.code).toBe('23505');
    expect(err?.message).toContain('guest_links_one_active_per_ticket');
    // Unlinked first, it may join another table.
    await exec(sql`UPDATE guest_links SET unlinked_at = now(), unlinked_by = 'guest' WHERE ticket_id = ${ticketId}`);
    expect(
      await sqlError(
        sql`INSERT INTO guest_links (event_id, ticket_id, reservation_id) VALUES (${eventId}, ${ticketId}, ${b})`,
      ),
    ).toBeNull();
  });

  it('a capacity override that nobody signed for', async () => {
    const r = await newReservation();
    const ticketId = await newTicket(await newOrder());
    const err = await sqlError(sql`INSERT INTO guest_links (event_id, ticket_id, reservation_id, override_capacity)
      VALUES (${eventId}, ${ticketId}, ${r}, true)`);
    expect(err?.code).toBe('23514');
  });

  it.each([
    [
      'reservations',
      () =>
        sql`INSERT INTO reservations (event_id, event_table_id, order_id, host_ticket_id, invite_code, status) VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'AAAAAAAA', 'confirmed')`,
    ],
    [
      'tickets',
      () =>
        sql`INSERT INTO tickets (event_id, order_id, holder_name, status) VALUES (${eventId}, gen_random_uuid(), 'A', 'valid')`,
    ],
    [
      'events',
      () =>
        sql`INSERT INTO events (name, starts_at, ends_at, currency, ga_price_cents, ga_capacity, status) VALUES ('E', now(), now() + interval '1 hour', 'EUR', 0, 0, 'completed')`,
    ],
  ])('a %s row born in a later status', async (_table, query) => {
    const err = await sqlError(query());
    expect(err?.message).toContain('must start as');
  });
});

type Table = 'reservations' | 'tickets' | 'orders' | 'events' | 'refunds';
const cases: Array<[Table, Machine<string, string>, readonly string[], () => Promise<string>]> = [
  ['reservations', reservationMachine, reservationStatuses, newReservation],
  ['tickets', ticketMachine, ticketStatuses, async () => newTicket(await newOrder())],
  ['orders', orderMachine, orderStatuses, () => newOrder()],
  ['events', eventMachine, eventStatuses, newEvent],
  ['refunds', refundMachine, refundStatuses, newRefund],
];

/** Columns that must accompany a status for the row's other CHECKs to hold. */
function companions(table: Table, to: string) {
  if (table === 'tickets') return to === 'checked_in' ? sql`, checked_in_at = now()` : sql`, checked_in_at = NULL`;
  if (table === 'reservations')
    return to === 'completed' ? sql`, no_show = (status = 'confirmed')` : sql`, no_show = false`;
  if (table === 'refunds') return to === 'succeeded' ? sql`, provider_refund_id = 're_1'` : sql``;
  return sql``;
}

describe.each(cases)('the %s status trigger', (table, machine, states, create) => {
  const allowed = edges(machine);
  const pathTo = (target: string): string[] => {
    // Breadth-first over the allowed edges from the first status.
    const queue: string[][] = [[states[0]!]];
    while (queue.length) {
      const path = queue.shift()!;
      const last = path[path.length - 1]!;
      if (last === target) return path.slice(1);
      for (const [f, t] of allowed) if (f === last && !path.includes(t)) queue.push([...path, t]);
    }
    throw new Error(`${target} unreachable`);
  };
  const move = (id: string, to: string) =>
    sqlError(sql`UPDATE ${sql.identifier(table)} SET status = ${to} ${companions(table, to)} WHERE id = ${id}`);

  const pairs = states.flatMap((from) =>
    states.filter((to) => to !== from).map((to) => [from, to] as [string, string]),
  );
  it.each(pairs)('%s -> %s matches the domain machine', async (from, to) => {
    const id = await create();
    for (const s of pathTo(from)) expect(await move(id, s)).toBeNull();
    const err = await move(id, to);
    const isAllowed = allowed.some(([f, t]) => f === from && t === to);
    if (isAllowed) expect(err).toBeNull();
    else expect(err?.message, `${from} -> ${to} should be refused`).toContain('illegal');
  });
});

describe('a confirmed reservation', () => {
  it('completes only as a no-show', async () => {
    const id = await newReservation();
    await exec(sql`UPDATE reservations SET status = 'confirmed' WHERE id = ${id}`);
    const err = await sqlError(sql`UPDATE reservations SET status = 'completed', no_show = false WHERE id = ${id}`);
    expect(err?.message).toContain('no-show');
  });
});
