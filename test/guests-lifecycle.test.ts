import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { FLOOR_CHANNEL } from '../src/db/repos/floor.repo.js';
import { scan } from './support/door.js';
import {
  bearer,
  buyPaid,
  createEvent,
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

/**
 * One Silver table (capacity 4: the host and three guests) from purchase to the end of the night,
 * through the public API only: links, unlinks, the start's lock, door links, and real scans.
 */
let ctx: TestContext;
let event: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
});
afterAll(() => ctx.close());

const MINUTE = 60_000;
const buyGa = (name: string) => buyPaid(ctx, event.id, { name, email: `${name.toLowerCase()}@example.com` });
const guestNames = async (reservationId: string) =>
  ((await getReservation(ctx, reservationId, ctx.staffToken)).json() as ReservationJson).guests
    .map((g) => g.name)
    .sort();
/** Table 3 as the floor plan shows it to staff. */
const table3 = async () => {
  const t = (await floorTables(ctx, event.id)).find((x) => x.number === 3)!;
  return {
    status: t.status,
    guests_linked: t.guests_linked,
    guests_arrived: t.guests_arrived,
    host_arrived: t.host_arrived,
  };
};

describe('a table and its guests, start to finish', () => {
  it('buy, link, unlink, lock at the start, door links with and without override, scans before and after the host, end', async () => {
    // Ana bought her ticket before the table existed; the others after.
    const ana = await buyGa('Ana');
    const table = event.tables.find((t) => t.number === 3)!;
    const host = await buyPaid(ctx, event.id, { name: 'Hana Host', table_id: table.id });
    const reservation = host.view.reservation!;
    expect(reservation.status).toBe('confirmed');
    const [ben, cleo, dev, eli] = [await buyGa('Ben'), await buyGa('Cleo'), await buyGa('Dev'), await buyGa('Eli')];
    const ticket = (b: typeof ana) => b.view.tickets[0]!;
    const link = (b: typeof ana) => linkTicket(ctx, ticket(b).id, b.manage_token, reservation.invite_code);
    // Listening starts after the purchases: only guest-list changes and arrivals are counted below.
    const floorChanges: string[] = [];
    const stop = await ctx.database.listen(FLOOR_CHANNEL, (p) => floorChanges.push(p));
    expect(await table3()).toEqual({ status: 'reserved', guests_linked: 0, guests_arrived: 0, host_arrived: false });

    // Three guests fill the three places; a fourth is refused. The clock moves between links so
    // the host's guest list (in link order) is deterministic.
    for (const g of [ana, ben, cleo]) {
      expect((await link(g)).statusCode).toBe(200);
      ctx.clock.advance(MINUTE);
    }
    expect(errorCode(await link(dev))).toBe('table_full');
    expect(await guestNames(reservation.id)).toEqual(['Ana', 'Ben', 'Cleo']);
    expect(await table3()).toMatchObject({ guests_linked: 3, guests_arrived: 0 });

    // Ben leaves: his ticket is plain GA again, and his place goes to Dev.
    expect((await unlinkTicket(ctx, ticket(ben).id, ben.manage_token)).statusCode).toBe(200);
    const benOrder = (
      await ctx.app.inject({ url: `/api/v1/orders/${ben.order_id}`, headers: bearer(ben.manage_token) })
    ).json();
    expect(benOrder.tickets[0]).toMatchObject({ status: 'valid', linked_reservation_id: null });
    expect(await table3()).toMatchObject({ guests_linked: 2 });
    ctx.clock.advance(MINUTE);
    expect((await link(dev)).statusCode).toBe(200);
    expect(await guestNames(reservation.id)).toEqual(['Ana', 'Cleo', 'Dev']);
    expect(await table3()).toMatchObject({ guests_linked: 3 });

    // The event starts: guests and the purchaser can change nothing any more.
    ctx.clock.set(event.starts_at);
    expect(errorCode(await link(ben))).toBe('guest_list_locked');
    expect(errorCode(await unlinkTicket(ctx, ticket(cleo).id, cleo.manage_token))).toBe('guest_list_locked');
    expect(errorCode(await removeGuest(ctx, reservation.id, ticket(ana).id, host.manage_token))).toBe(
      'guest_list_locked',
    );

    // Ana arrives before the host: the table is paid, so she is in as a guest, and may come back.
    ctx.clock.advance(10 * MINUTE);
    const anaIn = await scan(ctx, ticket(ana).qr!, 'door-1');
    expect(anaIn).toMatchObject({
      result: 'admitted',
      already_checked_in: false,
      message: 'Guest of Table 3 (Silver)',
      ticket: { id: ticket(ana).id, kind: 'vip_guest', holder_name: 'Ana' },
      vip: { reservation_id: reservation.id, table_number: 3, tier: 'Silver', role: 'guest', host_name: 'Hana Host' },
    });
    expect(await table3()).toEqual({ status: 'reserved', guests_linked: 3, guests_arrived: 1, host_arrived: false });
    ctx.clock.advance(MINUTE);
    expect(await scan(ctx, ticket(ana).qr!, 'door-2')).toMatchObject({
      result: 'reentry',
      already_checked_in: true,
      message: 'Guest of Table 3 (Silver) (re-entry)',
      first_scanner_id: 'door-1',
      ticket: { kind: 'vip_guest' },
    });

    // Ben, unlinked before the start, is plain GA: one entry, no way back in.
    const benIn = await scan(ctx, ticket(ben).qr!, 'door-1');
    expect(benIn).toMatchObject({
      result: 'admitted',
      message: 'Admitted',
      ticket: { id: ticket(ben).id, kind: 'ga' },
    });
    expect(benIn.vip).toBeUndefined();
    const benFirstAt = ctx.clock.now().toISOString();
    ctx.clock.advance(MINUTE);
    expect(await scan(ctx, ticket(ben).qr!, 'door-2')).toMatchObject({
      result: 'rejected',
      reason: 'already_checked_in',
      already_checked_in: true,
      first_checked_in_at: benFirstAt,
      first_scanner_id: 'door-1',
      ticket: { kind: 'ga' },
    });
    expect(await table3()).toMatchObject({ guests_linked: 3, guests_arrived: 1 });

    // At the door: staff cannot pass capacity by accident, only on purpose, and that is recorded.
    expect(errorCode(await doorLink(ctx, reservation.id, ticket(eli).id, ctx.staffToken))).toBe('table_full');
    expect(errorCode(await doorLink(ctx, reservation.id, ticket(eli).id, ctx.staffToken, false))).toBe('table_full');
    ctx.clock.advance(30 * MINUTE);
    const over = await doorLink(ctx, reservation.id, ticket(eli).id, ctx.staffToken, true);
    expect(over.statusCode, over.body).toBe(200);
    expect(over.json()).toMatchObject({ override_capacity: true, guests_linked: 4, guest_places: 3 });
    const eliLinkedAt = ctx.clock.now().toISOString();
    expect(await table3()).toMatchObject({ guests_linked: 4, guests_arrived: 1 });
    // Ben, already inside on plain GA, joins the table too: he counts as arrived at once.
    ctx.clock.advance(MINUTE);
    const byOwner = await doorLink(ctx, reservation.id, ticket(ben).id, ctx.ownerToken, true);
    expect(byOwner.statusCode, byOwner.body).toBe(200);
    expect(await table3()).toEqual({ status: 'reserved', guests_linked: 5, guests_arrived: 2, host_arrived: false });
    const rows = await queryRows<{
      name: string;
      linked_by_user_id: string | null;
      override_capacity: boolean;
      created_at: Date | string;
    }>(
      ctx.database.db,
      sql`SELECT k.holder_name AS name, gl.linked_by_user_id, gl.override_capacity, gl.created_at
            FROM guest_links gl JOIN tickets k ON k.id = gl.ticket_id
           WHERE gl.reservation_id = ${reservation.id} AND gl.unlinked_at IS NULL ORDER BY k.holder_name`,
    );
    expect(rows.map((r) => [r.name, r.linked_by_user_id, r.override_capacity])).toEqual([
      ['Ana', null, false],
      ['Ben', ctx.ownerId, true],
      ['Cleo', null, false],
      ['Dev', null, false],
      ['Eli', ctx.staffId, true],
    ]);
    expect(new Date(rows.find((r) => r.name === 'Eli')!.created_at).toISOString()).toBe(eliLinkedAt);

    // From now on Ben's code is a guest's: he may go out and come back.
    ctx.clock.advance(MINUTE);
    expect(await scan(ctx, ticket(ben).qr!, 'door-1')).toMatchObject({
      result: 'reentry',
      already_checked_in: true,
      message: 'Guest of Table 3 (Silver) (re-entry)',
      first_scanner_id: 'door-1',
      first_checked_in_at: benFirstAt,
      ticket: { kind: 'vip_guest' },
      vip: { role: 'guest', table_number: 3 },
    });
    // Eli, linked by staff at the door, scans as a guest of the table.
    expect(await scan(ctx, ticket(eli).qr!, 'door-1')).toMatchObject({
      result: 'admitted',
      message: 'Guest of Table 3 (Silver)',
      ticket: { id: ticket(eli).id, kind: 'vip_guest' },
      vip: { reservation_id: reservation.id, role: 'guest', host_name: 'Hana Host' },
    });
    expect(await table3()).toEqual({ status: 'reserved', guests_linked: 5, guests_arrived: 3, host_arrived: false });

    // The host arrives: full VIP details, every guest in link order and who is already in.
    ctx.clock.advance(MINUTE);
    const hostIn = await scan(ctx, ticket(host).qr!, 'door-2');
    expect(hostIn).toMatchObject({
      result: 'admitted',
      already_checked_in: false,
      message: 'VIP host, Table 3 (Silver)',
      ticket: { id: ticket(host).id, kind: 'vip_host', holder_name: 'Hana Host' },
    });
    expect(hostIn.vip).toEqual({
      reservation_id: reservation.id,
      table_number: 3,
      tier: 'Silver',
      role: 'host',
      host_name: 'Hana Host',
      guests: [
        { ticket_id: expect.any(String), name: 'Ana', arrived: true },
        { ticket_id: expect.any(String), name: 'Cleo', arrived: false },
        { ticket_id: expect.any(String), name: 'Dev', arrived: false },
        { ticket_id: expect.any(String), name: 'Eli', arrived: true },
        { ticket_id: expect.any(String), name: 'Ben', arrived: true },
      ],
    });
    expect(await table3()).toEqual({ status: 'arrived', guests_linked: 5, guests_arrived: 3, host_arrived: true });

    // Cleo comes after the host; the host's own re-entry sees her.
    ctx.clock.advance(MINUTE);
    expect(await scan(ctx, ticket(cleo).qr!, 'door-1')).toMatchObject({
      result: 'admitted',
      message: 'Guest of Table 3 (Silver)',
      ticket: { kind: 'vip_guest' },
      vip: { role: 'guest', host_name: 'Hana Host' },
    });
    expect(await table3()).toEqual({ status: 'arrived', guests_linked: 5, guests_arrived: 4, host_arrived: true });
    ctx.clock.advance(MINUTE);
    const hostAgain = await scan(ctx, ticket(host).qr!, 'door-1');
    expect(hostAgain).toMatchObject({
      result: 'reentry',
      already_checked_in: true,
      first_scanner_id: 'door-2',
      vip: { role: 'host' },
    });
    expect(hostAgain.vip!.guests.filter((g) => g.arrived).map((g) => g.name)).toEqual(['Ana', 'Cleo', 'Eli', 'Ben']);

    // Every accepted change reached the floor-plan feed once; no refusal or re-entry did.
    // Before the start: 3 links, 1 unlink, 1 link. At the door: 2 links, and the first entries of
    // Ana, Eli, the host and Cleo (Ben's plain GA entry belonged to no table).
    const expected = 3 + 1 + 1 + 2 + 4;
    await vi.waitFor(() => expect(floorChanges.length).toBeGreaterThanOrEqual(expected), { timeout: 5_000 });
    expect(floorChanges.map((p) => JSON.parse(p))).toEqual(
      Array(expected).fill({ event_id: event.id, table_id: table.id }),
    );
    await stop();

    // The night ends: the host came, so no no-show; Dev never did, and the list is closed to everyone.
    const ended = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/end`,
      headers: bearer(ctx.ownerToken),
    });
    expect(ended.statusCode, ended.body).toBe(200);
    const final = (await getReservation(ctx, reservation.id, host.manage_token)).json() as ReservationJson;
    expect(final).toMatchObject({ status: 'completed', no_show: false });
    expect(final.guests.map((g) => [g.name, g.arrived]).sort()).toEqual([
      ['Ana', true],
      ['Ben', true],
      ['Cleo', true],
      ['Dev', false],
      ['Eli', true],
    ]);
    expect(await table3()).toMatchObject({
      status: 'completed',
      guests_linked: 5,
      guests_arrived: 4,
      host_arrived: true,
    });
    expect(errorCode(await doorLink(ctx, reservation.id, ticket(ana).id, ctx.staffToken, true))).toBe('event_ended');
  });
});
