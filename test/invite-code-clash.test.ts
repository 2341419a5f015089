import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { buyPaid, createEvent, startTestApp, type EventInfo, type TestContext } from './support/harness.js';
import { sql } from 'drizzle-orm';

// Invite codes are random (1 in 32^8 to meet one in use): a queue of chosen codes makes a clash happen.
// Test files share worker processes: the modules are loaded afresh so that the order service
// imports the mock, and again after the file so that the next one gets the real codes.
const codes = vi.hoisted(() => {
  vi.resetModules();
  return { queue: [] as string[] };
});
vi.mock('../src/auth/capability.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/auth/capability.js')>();
  return { ...real, newInviteCode: () => codes.queue.shift() ?? real.newInviteCode() };
});

let ctx: TestContext;
let event: EventInfo;
const tableId = (n: number) => event.tables.find((t) => t.number === n)!.id;

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
});
afterAll(async () => {
  await ctx.close();
  vi.doUnmock('../src/auth/capability.js');
  vi.resetModules();
});

describe('a table hold whose invite code is already in use', () => {
  it('draws a fresh code and holds once: one order, its tickets and guests, GA places taken once', async () => {
    codes.queue.push('CLASH234');
    const first = await buyPaid(ctx, event.id, { email: 'first@example.com', ga_quantity: 1, table_id: tableId(1) });
    expect(first.view.reservation!.invite_code).toBe('CLASH234');
    const [before] = await queryRows<{ ga_sold: number }>(
      ctx.database.db,
      sql`SELECT ga_sold FROM events WHERE id = ${event.id}`,
    );

    codes.queue.push('CLASH234', 'FRESH234');
    const second = await buyPaid(ctx, event.id, { email: 'second@example.com', ga_quantity: 3, table_id: tableId(2) });
    expect(codes.queue).toEqual([]);
    expect(second.view.reservation!.invite_code).toBe('FRESH234');
    expect(second.view.reservation!.guests).toHaveLength(2);

    const [after] = await queryRows<{ ga_sold: number }>(
      ctx.database.db,
      sql`SELECT ga_sold FROM events WHERE id = ${event.id}`,
    );
    expect(after!.ga_sold - before!.ga_sold).toBe(3);
    const counts = await queryRows<{ orders: number; tickets: number; reservations: number; links: number }>(
      ctx.database.db,
      sql`SELECT (SELECT count(*)::int FROM orders WHERE email = 'second@example.com') AS orders,
                 (SELECT count(*)::int FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.email = 'second@example.com') AS tickets,
                 (SELECT count(*)::int FROM reservations WHERE event_table_id = ${tableId(2)}) AS reservations,
                 (SELECT count(*)::int FROM guest_links gl JOIN reservations r ON r.id = gl.reservation_id WHERE r.event_table_id = ${tableId(2)}) AS links`,
    );
    expect(counts[0]).toEqual({ orders: 1, tickets: 3, reservations: 1, links: 2 });
  });
});
