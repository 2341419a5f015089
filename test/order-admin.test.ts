import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { openDoors, scan } from './support/door.js';
import { expectRefused as refused } from './support/refused.js';
import {
  bearer,
  buyPaid,
  createEvent,
  placeOrder,
  startTestApp,
  T0,
  type EventInfo,
  type TestContext,
} from './support/harness.js';
import { drainRefunds } from './support/stripe-flow.js';

let ctx: TestContext;
let event: EventInfo;
let alice: Awaited<ReturnType<typeof buyPaid>>;
let carla: Awaited<ReturnType<typeof buyPaid>>;
let dan: Awaited<ReturnType<typeof placeOrder>>;

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
  alice = await buyPaid(ctx, event.id, {
    name: 'Alice Adams',
    email: 'alice@example.com',
    ga_quantity: 2,
    holder_names: ['Alice Adams', 'Bob Brown'],
  });
  carla = await buyPaid(ctx, event.id, {
    name: 'Carla Cruz',
    email: 'carla@example.com',
    ga_quantity: 1,
    table_id: event.tables[1]!.id,
  });
  dan = await placeOrder(ctx, event.id, { name: '=HYPERLINK("http://evil")', email: 'dan@example.com' });
});
afterAll(() => ctx.close());

const asOwner = (method: 'GET' | 'POST', url: string, payload?: object, token = ctx.ownerToken) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
const search = async (q?: string) =>
  (
    (
      await asOwner('GET', `/api/v1/events/${event.id}/orders${q === undefined ? '' : `?q=${encodeURIComponent(q)}`}`)
    ).json().orders as Array<{ order_id: string }>
  ).map((o) => o.order_id);

const expectRefused = (send: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
  refused(ctx, send, status, code);

describe('orders and people', () => {
  it('finds orders by buyer or holder name, e-mail, order or ticket code, QR, invite code or table number', async () => {
    expect(await search()).toEqual([dan.order_id, carla.order_id, alice.order_id]);
    expect(await search('ali')).toEqual([alice.order_id]);
    expect(await search('BOB')).toEqual([alice.order_id]);
    expect(await search('carla@example')).toEqual([carla.order_id]);
    expect(await search(alice.order_id.slice(0, 8))).toEqual([alice.order_id]);
    expect(await search(alice.view.tickets[1]!.id.slice(0, 8).toUpperCase())).toEqual([alice.order_id]);
    expect(await search(alice.view.tickets[0]!.qr!)).toEqual([alice.order_id]);
    const code = carla.view.reservation!.invite_code;
    expect(await search(`${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`)).toEqual([carla.order_id]);
    expect(await search('2')).toEqual([carla.order_id]);
    // Typed wildcards are just characters.
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([]);
    const found = (await asOwner('GET', `/api/v1/events/${event.id}/orders?q=carla`)).json().orders[0];
    expect(found).toMatchObject({ name: 'Carla Cruz', status: 'paid', tickets: 1, checked_in: 0, table_number: 2 });
  });

  it("shows an order's history: its scans and its mails", async () => {
    openDoors(ctx, event);
    try {
      await scan(ctx, alice.view.tickets[0]!.qr!, 'door-a');
      await scan(ctx, alice.view.tickets[0]!.qr!, 'door-b');
    } finally {
      ctx.clock.set(new Date(T0));
    }
    const res = await asOwner('GET', `/api/v1/orders/${alice.order_id}/activity`);
    expect(res.statusCode, res.body).toBe(200);
    const a = res.json();
    expect(
      a.scans.map((s: { scanner_id: string; result: string; reason: string | null }) => [
        s.scanner_id,
        s.result,
        s.reason,
      ]),
    ).toEqual([
      ['door-a', 'admitted', null],
      ['door-b', 'rejected', 'already_checked_in'],
    ]);
    expect(a.mails).toEqual([{ kind: 'order_paid', status: 'pending', attempts: 0, sent_at: null, last_error: null }]);
  });

  it('refunds one order in full when the owner confirms the amount: unused tickets void, the table free again, paid once', async () => {
    // Wrong amount (the order changed, or a slip): nothing happens.
    const stale = await expectRefused(
      () => asOwner('POST', `/api/v1/orders/${carla.order_id}/refund`, { amount_cents: 1 }),
      409,
      'confirmation_stale',
    );
    expect(stale.json().error.details).toEqual({ amount_cents: 52000 });
    await expectRefused(
      () => asOwner('POST', `/api/v1/orders/${dan.order_id}/refund`, { amount_cents: 2000 }),
      409,
      'order_not_paid',
    );
    await expectRefused(
      () => asOwner('POST', `/api/v1/orders/${carla.order_id}/refund`, { amount_cents: 52000 }, ctx.staffToken),
      403,
      'forbidden',
    );

    const res = await asOwner('POST', `/api/v1/orders/${carla.order_id}/refund`, { amount_cents: 52000 });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({
      order_id: carla.order_id,
      amount_cents: 52000,
      currency: 'EUR',
      refund_status: 'pending',
      tickets_voided: 1,
      table_released: true,
    });
    const availability = (await ctx.app.inject({ url: `/api/v1/events/${event.id}/availability` })).json();
    expect(availability.tables.find((t: { id: string }) => t.id === event.tables[1]!.id).status).toBe('available');
    openDoors(ctx, event);
    try {
      expect((await scan(ctx, carla.view.tickets[0]!.qr!)).reason).toBe('void');
    } finally {
      ctx.clock.set(new Date(T0));
    }
    // Asked again: the same refund, nothing new.
    const again = await asOwner('POST', `/api/v1/orders/${carla.order_id}/refund`, { amount_cents: 52000 });
    expect(again.json()).toMatchObject({ refund_status: 'pending', amount_cents: 52000, tickets_voided: 0 });
    await drainRefunds(ctx);
    const order = (
      await ctx.app.inject({ url: `/api/v1/orders/${carla.order_id}`, headers: bearer(carla.manage_token) })
    ).json();
    expect(order).toMatchObject({
      status: 'refunded',
      refunded_cents: 52000,
      refund_reason: 'owner_refund',
      refund: { status: 'succeeded', reason: 'owner_refund' },
    });
    const refunds = await queryRows<{ n: number }>(
      ctx.database.db,
      sql`SELECT count(*)::int AS n FROM refunds WHERE order_id = ${carla.order_id}`,
    );
    expect(refunds[0]!.n).toBe(1);
    const mails = await queryRows<{ kind: string }>(
      ctx.database.db,
      sql`SELECT kind FROM mails WHERE order_id = ${carla.order_id} ORDER BY kind`,
    );
    expect(mails.map((m) => m.kind)).toEqual(['order_paid', 'order_refunded']);
  });

  it('a ticket already scanned in stays checked in when its order is refunded (its holder is inside)', async () => {
    // Alice's first ticket was admitted above; her second was not.
    const res = await asOwner('POST', `/api/v1/orders/${alice.order_id}/refund`, { amount_cents: 4000 });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ tickets_voided: 1, table_released: false });
    const statuses = await queryRows<{ status: string }>(
      ctx.database.db,
      sql`SELECT status FROM tickets WHERE order_id = ${alice.order_id} ORDER BY status`,
    );
    expect(statuses.map((s) => s.status)).toEqual(['checked_in', 'void']);
  });

  it('exports attendees and orders as CSV a spreadsheet cannot be tricked by', async () => {
    const people = await asOwner('GET', `/api/v1/events/${event.id}/export/attendees.csv`);
    expect(people.statusCode).toBe(200);
    expect(people.headers['content-type']).toContain('text/csv');
    expect(people.headers['content-disposition']).toContain('attachment');
    const lines = people.body.trim().split('\r\n');
    expect(lines[0]).toBe('ticket_id,holder_name,kind,table,status,checked_in_at,order_id,buyer_name,buyer_email');
    expect(lines.some((l) => l.includes('Bob Brown') && l.includes(',ga,'))).toBe(true);
    expect(lines.some((l) => l.includes('Carla Cruz'))).toBe(true); // refunded, still listed with its status
    expect(lines).toHaveLength(1 + 3); // Alice's two tickets and Carla's; Dan never paid

    const orders = await asOwner('GET', `/api/v1/events/${event.id}/export/orders.csv`);
    const rows = orders.body.trim().split('\r\n');
    expect(rows).toHaveLength(1 + 3);
    // Money as a spreadsheet user reads it: decimals beside the currency, not cents.
    expect(rows[0]).toBe(
      'order_id,created_at,paid_at,status,buyer_name,buyer_email,tickets,table,amount,refunded,currency',
    );
    for (const row of rows.slice(1)) expect(row).toMatch(/,\d+\.\d\d,\d+\.\d\d,EUR$/);
    // A name that is a formula stays text.
    expect(orders.body).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(
      (await asOwner('GET', `/api/v1/events/${event.id}/export/orders.csv`, undefined, ctx.staffToken)).statusCode,
    ).toBe(403);
  });

  it('quotes and neutralises every cell for any separator a spreadsheet may split on (comma, semicolon, tab)', async () => {
    const evil = await createEvent(ctx, { name: 'CSV Night' });
    const names = ["Eve;=cmd|' /C calc'!A0", 'Semi;@SUM(A1)', 'Comma,+1+1', 'Pipe|-2+3', '+49 170 000'];
    await buyPaid(ctx, evil.id, {
      name: 'Mallory',
      email: 'mallory@example.com',
      ga_quantity: names.length,
      holder_names: names,
    });
    const body = (await asOwner('GET', `/api/v1/events/${evil.id}/export/attendees.csv`)).body;
    for (const separator of [',', ';', '\t', '|']) {
      // As a spreadsheet reads it (quotes respected), and as a naive split would (quotes ignored):
      // no cell may start with a formula character.
      for (const cells of [parseCsv(body, separator), body.split(/\r\n/).flatMap((line) => line.split(separator))]) {
        const formulas = cells
          .flat()
          .map((c) => c.replace(/^"/, ''))
          .filter((c) => /^[=+\-@\t\r]/.test(c));
        expect(formulas, `split on ${JSON.stringify(separator)}`).toEqual([]);
      }
    }
    // The names are all there, as text.
    const holders = parseCsv(body, ',')
      .slice(1)
      .map((row) => row[1]);
    expect(holders.sort()).toEqual(
      ["'+49 170 000", "Comma,'+1+1", "Eve;'=cmd|' /C calc'!A0", "Pipe|'-2+3", "Semi;'@SUM(A1)"].sort(),
    );
  });
});

/** RFC 4180 with any separator: quoted cells may hold separators, quotes ("") and line breaks. */
function parseCsv(text: string, separator: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === separator) {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}
