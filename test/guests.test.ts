import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { FLOOR_CHANNEL } from '../src/db/repos/floor.repo.js';
import { expireHolds } from '../src/services/orders/expire-holds.service.js';
import { scan } from './support/door.js';
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
import {
  doorLink,
  errorCode,
  getReservation,
  linkTicket,
  removeGuest,
  unlinkTicket,
  type ReservationJson,
} from './support/guests.js';
import { expectRefused as refused } from './support/refused.js';

let ctx: TestContext;
let event: EventInfo;
let otherEvent: EventInfo;
type Bought = Awaited<ReturnType<typeof buyPaid>>;
/** Silver table 3 (capacity 4: three guests), bought with two tickets: the host's and a friend's. */
let silver: Bought;
/** Gold table 2 (capacity 8). */
let gold: Bought;
/** A GA ticket bought before any table was sold. */
let early: Bought;

const tableId = (n: number) => event.tables.find((t) => t.number === n)!.id;
const silverCode = () => silver.view.reservation!.invite_code;
const silverId = () => silver.view.reservation!.id;
const hostTicket = (b: Bought) => b.view.tickets.find((t) => t.is_host)!;
const friendTicket = (b: Bought) => b.view.tickets.find((t) => !t.is_host)!;
const buyGa = (name: string, eventId = event.id) =>
  buyPaid(ctx, eventId, { name, email: `${name.toLowerCase()}@example.com` });

const orderView = async (b: { order_id: string; manage_token: string }) =>
  (await ctx.app.inject({ url: `/api/v1/orders/${b.order_id}`, headers: bearer(b.manage_token) })).json();
const floorTable = async (n: number) => (await floorTables(ctx, event.id)).find((t) => t.number === n)!;

/** Sends a request that must be refused, and proves the database is exactly as it was. */
const expectRefused = (send: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
  refused(ctx, send, status, code);

async function linkRows(ticketId: string) {
  return queryRows<{
    reservation_id: string;
    linked_by_user_id: string | null;
    override_capacity: boolean;
    created_at: string;
    unlinked_at: string | null;
    unlinked_by: string | null;
  }>(
    ctx.database.db,
    sql`SELECT reservation_id, linked_by_user_id, override_capacity, created_at::text, unlinked_at::text, unlinked_by
          FROM guest_links WHERE ticket_id = ${ticketId} ORDER BY created_at, id`,
  );
}

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
  otherEvent = await createEvent(ctx, { name: 'Saturday' });
  early = await buyGa('Early');
  silver = await buyPaid(ctx, event.id, { name: 'Sam Silver', ga_quantity: 2, table_id: tableId(3) });
  gold = await buyPaid(ctx, event.id, { name: 'Goldie', ga_quantity: 1, table_id: tableId(2) });
  // A table's extra tickets sit at it from the purchase (test/party-tickets.test.ts); these tests
  // start from the friend's ticket as plain GA, so the purchaser takes it off the list first.
  expect(friendTicket(silver).linked_reservation_id).toBe(silverId());
  expect((await unlinkTicket(ctx, friendTicket(silver).id, silver.manage_token)).statusCode).toBe(200);
  silver = { ...silver, view: await orderView(silver) };
});
afterAll(() => ctx.close());

describe('linking with an invite code', () => {
  it('links tickets bought before and after the table, as typed by people, and shows them everywhere', async () => {
    const changes: string[] = [];
    let notified!: () => void;
    const seen = new Promise<void>((resolve) => (notified = resolve));
    const stop = await ctx.database.listen(FLOOR_CHANNEL, (p) => {
      changes.push(p);
      notified();
    });

    const code = silverCode();
    const typed = `${code.slice(0, 4).toLowerCase()}-${code.slice(4).toLowerCase()}`;
    const res = await linkTicket(ctx, early.view.tickets[0]!.id, early.manage_token, typed);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      reservation_id: silverId(),
      table_number: 3,
      tier: 'Silver',
      guests_linked: 1,
      guest_places: 3,
    });
    await seen;
    await stop();
    expect(JSON.parse(changes[0]!)).toEqual({ event_id: event.id, table_id: tableId(3) });

    const late = await buyGa('Late');
    expect((await linkTicket(ctx, late.view.tickets[0]!.id, late.manage_token, code)).statusCode).toBe(200);

    expect((await orderView(early)).tickets[0].linked_reservation_id).toBe(silverId());
    const host = await orderView(silver);
    expect(host.reservation.guests.map((g: { name: string; arrived: boolean }) => [g.name, g.arrived]).sort()).toEqual([
      ['Early', false],
      ['Late', false],
    ]);
    expect(await floorTable(3)).toMatchObject({ guests_linked: 2, guests_arrived: 0, host_arrived: false });
    // The link time comes from the injected clock (the scanner cache's `?since=` follows the
    // ticket row's database-time `updated_at` instead, which linking touches).
    const [row] = await linkRows(early.view.tickets[0]!.id);
    expect(new Date(row!.created_at).toISOString()).toBe(ctx.clock.now().toISOString());
    expect(row).toMatchObject({ linked_by_user_id: null, override_capacity: false, unlinked_at: null });
  });

  it("lets the purchaser put their own extra ticket on their table, but never the host's ticket", async () => {
    expect((await linkTicket(ctx, friendTicket(silver).id, silver.manage_token, silverCode())).statusCode).toBe(200);
    await expectRefused(
      () => linkTicket(ctx, hostTicket(silver).id, silver.manage_token, silverCode()),
      409,
      'host_ticket',
    );
    // Another table's host cannot be a guest here either: their ticket is their own table's code.
    await expectRefused(
      () => linkTicket(ctx, hostTicket(gold).id, gold.manage_token, silverCode()),
      409,
      'host_ticket',
    );
  });

  it('refuses a fourth guest at a Silver table (capacity 4 counts the host)', async () => {
    const fourth = await buyGa('Fourth');
    const res = await expectRefused(
      () => linkTicket(ctx, fourth.view.tickets[0]!.id, fourth.manage_token, silverCode()),
      409,
      'table_full',
    );
    expect(res.json().error.details).toEqual({ capacity: 4, guest_places: 3, guests_linked: 3 });
  });

  it('refuses unknown and malformed invite codes with 404 invalid_invite', async () => {
    const g = await buyGa('Nocode');
    await expectRefused(
      () => linkTicket(ctx, g.view.tickets[0]!.id, g.manage_token, 'ZZZZ-ZZZZ'),
      404,
      'invalid_invite',
    );
    await expectRefused(() => linkTicket(ctx, g.view.tickets[0]!.id, g.manage_token, 'hello'), 404, 'invalid_invite');
    await expectRefused(
      () => linkTicket(ctx, g.view.tickets[0]!.id, g.manage_token, 'IIIIOOOO'),
      404,
      'invalid_invite',
    );
  });

  it('refuses a ticket for another event', async () => {
    const g = await buyGa('Elsewhere', otherEvent.id);
    await expectRefused(
      () => linkTicket(ctx, g.view.tickets[0]!.id, g.manage_token, gold.view.reservation!.invite_code),
      409,
      'wrong_event',
    );
  });

  it('refuses a ticket already linked, to this table or to another', async () => {
    const code = gold.view.reservation!.invite_code;
    await expectRefused(
      () => linkTicket(ctx, early.view.tickets[0]!.id, early.manage_token, silverCode()),
      409,
      'ticket_already_linked',
    );
    const res = await expectRefused(
      () => linkTicket(ctx, early.view.tickets[0]!.id, early.manage_token, code),
      409,
      'ticket_already_linked',
    );
    expect(res.json().error.details).toEqual({ reservation_id: silverId() });
    await expectRefused(
      () => doorLink(ctx, gold.view.reservation!.id, early.view.tickets[0]!.id, ctx.staffToken, true),
      409,
      'ticket_already_linked',
    );
  });

  it('refuses unpaid and void tickets with ticket_not_valid', async () => {
    const code = gold.view.reservation!.invite_code;
    const unpaid = await placeOrder(ctx, event.id, { name: 'Unpaid', email: 'unpaid@example.com' });
    const unpaidTicket = (await orderView(unpaid)).tickets[0].id;
    await expectRefused(() => linkTicket(ctx, unpaidTicket, unpaid.manage_token, code), 409, 'ticket_not_valid');
    ctx.clock.advance(10 * 60_000);
    expect(await expireHolds(ctx.deps)).toBeGreaterThanOrEqual(1);
    expect((await orderView(unpaid)).tickets[0].status).toBe('void');
    await expectRefused(() => linkTicket(ctx, unpaidTicket, unpaid.manage_token, code), 409, 'ticket_not_valid');
    await expectRefused(
      () => doorLink(ctx, gold.view.reservation!.id, unpaidTicket, ctx.staffToken),
      409,
      'ticket_not_valid',
    );
  });

  it('refuses guests for a table that is only held, not paid (reservation_not_active)', async () => {
    const held = await placeOrder(ctx, event.id, { name: 'Holder', email: 'holder@example.com', table_id: tableId(1) });
    const heldView = await orderView(held);
    expect(heldView.reservation.status).toBe('pending');
    const g = await buyGa('Hopeful');
    await expectRefused(
      () => linkTicket(ctx, g.view.tickets[0]!.id, g.manage_token, heldView.reservation.invite_code),
      409,
      'reservation_not_active',
    );
    await expectRefused(
      () => doorLink(ctx, heldView.reservation.id, g.view.tickets[0]!.id, ctx.staffToken, true),
      409,
      'reservation_not_active',
    );
  });

  it("lets only the ticket's own order token link or unlink it", async () => {
    const g = await buyGa('Owner');
    const t = g.view.tickets[0]!.id;
    // Another order's token learns no more than for a ticket that does not exist.
    await expectRefused(() => linkTicket(ctx, t, early.manage_token, silverCode()), 404, 'not_found');
    await expectRefused(() => linkTicket(ctx, t, ctx.staffToken, silverCode()), 403, 'forbidden');
    await expectRefused(() => linkTicket(ctx, t, ctx.ownerToken, silverCode()), 403, 'forbidden');
    await expectRefused(() => linkTicket(ctx, t, 'not-a-token', silverCode()), 401, 'unauthorized');
    await expectRefused(
      () =>
        ctx.app.inject({ method: 'POST', url: `/api/v1/tickets/${t}/link`, payload: { invite_code: silverCode() } }),
      401,
      'unauthorized',
    );
    await expectRefused(() => unlinkTicket(ctx, early.view.tickets[0]!.id, g.manage_token), 404, 'not_found');
    // Credentials are checked before the body: a bad body without the right to send it says nothing.
    await expectRefused(
      () => ctx.app.inject({ method: 'POST', url: `/api/v1/tickets/${t}/link`, payload: {} }),
      401,
      'unauthorized',
    );
    await expectRefused(
      () =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/reservations/${silverId()}/guests`,
          headers: bearer(g.manage_token),
          payload: {},
        }),
      403,
      'forbidden',
    );
    await expectRefused(
      () => linkTicket(ctx, '00000000-0000-4000-8000-000000000000', g.manage_token, silverCode()),
      404,
      'not_found',
    );
    await expectRefused(
      () =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/tickets/${t}/link`,
          headers: bearer(g.manage_token),
          payload: {},
        }),
      400,
      'invalid_request',
    );
  });
});

describe('reading a reservation', () => {
  it('answers the purchaser, staff and the owner; nobody else', async () => {
    for (const token of [silver.manage_token, ctx.staffToken, ctx.ownerToken]) {
      const res = await getReservation(ctx, silverId(), token);
      expect(res.statusCode, res.body).toBe(200);
      const r = res.json() as ReservationJson;
      expect(r).toMatchObject({
        id: silverId(),
        status: 'confirmed',
        no_show: false,
        table_number: 3,
        tier: 'Silver',
        capacity: 4,
      });
      expect(r.invite_url).toBe(`http://velvet.test/i/${r.invite_code}`);
      expect(r.guests.map((g) => g.name).sort()).toEqual(['Early', 'Late', 'Sam Silver']);
      expect(r.guests.every((g) => g.arrived === false)).toBe(true);
    }
    expect(errorCode(await getReservation(ctx, silverId(), early.manage_token))).toBe('not_found');
    expect(errorCode(await getReservation(ctx, silverId(), gold.manage_token))).toBe('not_found');
    expect(errorCode(await getReservation(ctx, '00000000-0000-4000-8000-000000000000', gold.manage_token))).toBe(
      'not_found',
    );
    expect(errorCode(await getReservation(ctx, silverId()))).toBe('unauthorized');
    expect((await getReservation(ctx, '00000000-0000-4000-8000-000000000000', ctx.staffToken)).statusCode).toBe(404);
  });
});

describe('unlinking before the start', () => {
  it('turns a guest who leaves back into plain GA, and keeps the history', async () => {
    const t = early.view.tickets[0]!.id;
    const res = await unlinkTicket(ctx, t, early.manage_token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ticket_id: t,
      reservation_id: silverId(),
      linked_reservation_id: null,
      unlinked_by: 'guest',
    });
    expect((await orderView(early)).tickets[0].linked_reservation_id).toBeNull();
    expect((await floorTable(3)).guests_linked).toBe(2);
    const [row] = await linkRows(t);
    expect(row).toMatchObject({ unlinked_by: 'guest' });
    expect(new Date(row!.unlinked_at!).toISOString()).toBe(ctx.clock.now().toISOString());
    await expectRefused(() => unlinkTicket(ctx, t, early.manage_token), 409, 'ticket_not_linked');
  });

  it('lets a plain GA ticket join another table afterwards', async () => {
    const t = early.view.tickets[0]!.id;
    const res = await linkTicket(ctx, t, early.manage_token, gold.view.reservation!.invite_code);
    expect(res.statusCode, res.body).toBe(200);
    expect((await linkRows(t)).map((r) => [r.reservation_id, r.unlinked_by])).toEqual([
      [silverId(), 'guest'],
      [gold.view.reservation!.id, null],
    ]);
  });

  it('lets the purchaser remove a guest from their own list only', async () => {
    const late = (await orderView(silver)).reservation.guests.find(
      (g: { name: string }) => g.name === 'Late',
    ).ticket_id;
    await expectRefused(() => removeGuest(ctx, silverId(), late, gold.manage_token), 404, 'not_found');
    await expectRefused(() => removeGuest(ctx, silverId(), late, ctx.staffToken), 403, 'forbidden');
    await expectRefused(
      () => removeGuest(ctx, silverId(), early.view.tickets[0]!.id, silver.manage_token),
      409,
      'ticket_not_linked',
    );
    const res = await removeGuest(ctx, silverId(), late, silver.manage_token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ticket_id: late, unlinked_by: 'purchaser' });
    expect((await floorTable(3)).guests_linked).toBe(1);
  });
});

describe('after the start', () => {
  it('locks the list for guests and purchasers; staff still link at the door', async () => {
    ctx.clock.set(event.starts_at);
    const g = await buyGa('Doorstep');
    const t = g.view.tickets[0]!.id;
    await expectRefused(() => linkTicket(ctx, t, g.manage_token, silverCode()), 409, 'guest_list_locked');
    await expectRefused(
      () => unlinkTicket(ctx, friendTicket(silver).id, silver.manage_token),
      409,
      'guest_list_locked',
    );
    await expectRefused(
      () => removeGuest(ctx, silverId(), friendTicket(silver).id, silver.manage_token),
      409,
      'guest_list_locked',
    );
    await expectRefused(() => doorLink(ctx, silverId(), t, g.manage_token), 403, 'forbidden');

    const res = await doorLink(ctx, silverId(), t, ctx.staffToken);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      reservation_id: silverId(),
      table_number: 3,
      ticket_id: t,
      override_capacity: false,
    });
    expect((await linkRows(t))[0]).toMatchObject({ linked_by_user_id: ctx.staffId, override_capacity: false });
  });

  it('lets staff add someone already inside on plain GA to a table', async () => {
    const g = await buyGa('Inside');
    const t = g.view.tickets[0]!.id;
    // In on plain GA: one entry, and no way back in.
    expect(await scan(ctx, g.view.tickets[0]!.qr!, 'door-1')).toMatchObject({
      result: 'admitted',
      ticket: { id: t, kind: 'ga' },
    });
    expect(await scan(ctx, g.view.tickets[0]!.qr!, 'door-1')).toMatchObject({
      result: 'rejected',
      reason: 'already_checked_in',
    });
    expect((await floorTable(2)).guests_arrived).toBe(0);

    const res = await doorLink(ctx, gold.view.reservation!.id, t, ctx.staffToken);
    expect(res.statusCode, res.body).toBe(200);
    expect((await getReservation(ctx, gold.view.reservation!.id, ctx.staffToken)).json().guests).toContainEqual({
      ticket_id: t,
      name: 'Inside',
      arrived: true,
    });
    expect((await floorTable(2)).guests_arrived).toBe(1);
    // The link gives them the table's re-entry from then on.
    ctx.clock.advance(60_000);
    expect(await scan(ctx, g.view.tickets[0]!.qr!, 'door-2')).toMatchObject({
      result: 'reentry',
      message: 'Guest of Table 2 (Gold) (re-entry)',
      first_scanner_id: 'door-1',
      ticket: { id: t, kind: 'vip_guest' },
    });
  });
});
