import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { FLOOR_CHANNEL } from '../src/db/repos/floor.repo.js';
import { bearer, buyPaid, createEvent, startTestApp, type EventInfo, type TestContext } from './support/harness.js';
import { doorLink, errorCode, getReservation, linkTicket, removeGuest, unlinkTicket, type ReservationJson } from './support/guests.js';

/**
 * One Silver table (capacity 4: the host and three guests) from purchase to the end of the night.
 * Scans are not part of this file yet: POST /api/v1/scans is being built on the `door` branch.
 */
let ctx: TestContext;
let event: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
});
afterAll(() => ctx.close());

const buyGa = (name: string) => buyPaid(ctx, event.id, { name, email: `${name.toLowerCase()}@example.com` });
const guestNames = async (reservationId: string) =>
  ((await getReservation(ctx, reservationId, ctx.staffToken)).json() as ReservationJson).guests.map((g) => g.name).sort();
const guestsLinked = async () =>
  (await ctx.app.inject({ url: `/api/v1/events/${event.id}/floor-plan`, headers: bearer(ctx.staffToken) }))
    .json()
    .tables.find((t: { number: number }) => t.number === 3).guests_linked as number;

describe('a table and its guests, start to finish', () => {
  it('buy, link, unlink, lock at the start, door links with and without override, end', async () => {
    // Ana bought her ticket before the table existed; the others after.
    const ana = await buyGa('Ana');
    const table = event.tables.find((t) => t.number === 3)!;
    const host = await buyPaid(ctx, event.id, { name: 'Hana Host', table_id: table.id });
    const reservation = host.view.reservation!;
    expect(reservation.status).toBe('confirmed');
    const [ben, cleo, dev, eli] = [await buyGa('Ben'), await buyGa('Cleo'), await buyGa('Dev'), await buyGa('Eli')];
    const ticket = (b: typeof ana) => b.view.tickets[0]!.id;
    const link = (b: typeof ana) => linkTicket(ctx, ticket(b), b.manage_token, reservation.invite_code);
    // Listening starts after the purchases: only guest-list changes are counted below.
    const floorChanges: string[] = [];
    const stop = await ctx.database.listen(FLOOR_CHANNEL, (p) => floorChanges.push(p));

    // Three guests fill the three places; a fourth is refused.
    for (const g of [ana, ben, cleo]) expect((await link(g)).statusCode).toBe(200);
    expect(errorCode(await link(dev))).toBe('table_full');
    expect(await guestNames(reservation.id)).toEqual(['Ana', 'Ben', 'Cleo']);

    // Ben leaves: his ticket is plain GA again, and his place goes to Dev.
    expect((await unlinkTicket(ctx, ticket(ben), ben.manage_token)).statusCode).toBe(200);
    const benOrder = (await ctx.app.inject({ url: `/api/v1/orders/${ben.order_id}`, headers: bearer(ben.manage_token) })).json();
    expect(benOrder.tickets[0]).toMatchObject({ status: 'valid', linked_reservation_id: null });
    expect((await link(dev)).statusCode).toBe(200);
    expect(await guestNames(reservation.id)).toEqual(['Ana', 'Cleo', 'Dev']);

    // The event starts: guests and the purchaser can change nothing any more.
    ctx.clock.set(event.starts_at);
    expect(errorCode(await link(ben))).toBe('guest_list_locked');
    expect(errorCode(await unlinkTicket(ctx, ticket(cleo), cleo.manage_token))).toBe('guest_list_locked');
    expect(errorCode(await removeGuest(ctx, reservation.id, ticket(ana), host.manage_token))).toBe('guest_list_locked');

    // At the door: staff cannot pass capacity by accident, only on purpose, and that is recorded.
    expect(errorCode(await doorLink(ctx, reservation.id, ticket(ben), ctx.staffToken))).toBe('table_full');
    expect(errorCode(await doorLink(ctx, reservation.id, ticket(ben), ctx.staffToken, false))).toBe('table_full');
    ctx.clock.advance(30 * 60_000);
    const over = await doorLink(ctx, reservation.id, ticket(ben), ctx.staffToken, true);
    expect(over.statusCode, over.body).toBe(200);
    expect(over.json()).toMatchObject({ override_capacity: true, guests_linked: 4, guest_places: 3 });
    const byOwner = await doorLink(ctx, reservation.id, ticket(eli), ctx.ownerToken, true);
    expect(byOwner.statusCode, byOwner.body).toBe(200);
    const rows = await queryRows<{ name: string; linked_by_user_id: string | null; override_capacity: boolean; created_at: Date | string }>(
      ctx.database.db,
      sql`SELECT k.holder_name AS name, gl.linked_by_user_id, gl.override_capacity, gl.created_at
            FROM guest_links gl JOIN tickets k ON k.id = gl.ticket_id
           WHERE gl.reservation_id = ${reservation.id} AND gl.unlinked_at IS NULL ORDER BY k.holder_name`,
    );
    expect(rows.map((r) => [r.name, r.linked_by_user_id, r.override_capacity])).toEqual([
      ['Ana', null, false],
      ['Ben', ctx.staffId, true],
      ['Cleo', null, false],
      ['Dev', null, false],
      ['Eli', ctx.ownerId, true],
    ]);
    expect(new Date(rows.find((r) => r.name === 'Ben')!.created_at).toISOString()).toBe(ctx.clock.now().toISOString());
    expect(await guestsLinked()).toBe(5);

    // Every accepted change reached the floor-plan feed once; no refusal did.
    // (3 links, 1 unlink, 1 link, 2 door links.)
    await vi.waitFor(() => expect(floorChanges.length).toBeGreaterThanOrEqual(7), { timeout: 5_000 });
    expect(floorChanges.map((p) => JSON.parse(p))).toEqual(Array(7).fill({ event_id: event.id, table_id: table.id }));
    await stop();

    // The night ends with the host never arriving: a no-show, and the list is closed to everyone.
    const ended = await ctx.app.inject({ method: 'POST', url: `/api/v1/events/${event.id}/end`, headers: bearer(ctx.ownerToken) });
    expect(ended.statusCode, ended.body).toBe(200);
    const final = (await getReservation(ctx, reservation.id, host.manage_token)).json() as ReservationJson;
    expect(final).toMatchObject({ status: 'completed', no_show: true });
    expect(final.guests.map((g) => g.name).sort()).toEqual(['Ana', 'Ben', 'Cleo', 'Dev', 'Eli']);
    expect(errorCode(await doorLink(ctx, reservation.id, ticket(ana), ctx.staffToken, true))).toBe('event_ended');
  });
});
