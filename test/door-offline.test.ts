import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReservation } from '../src/db/repos/reservations.repo.js';
import { findTicket, setTicketsStatus } from '../src/db/repos/tickets.repo.js';
import { fromBase64Url, parseTicketCode } from '../src/domain/ticket-code.js';
import type { CachedTicket } from '../src/domain/scanner-cache.js';
import {
  ageEventRows,
  buyTable,
  linkAtDoor,
  linkWithInvite,
  openDoors,
  scan,
  scanRows,
  unlinkOwn,
  type ScanJson,
} from './support/door.js';
import {
  bearer,
  buyPaid,
  createEvent,
  payOrder,
  placeOrder,
  startTestApp,
  T0,
  type EventInfo,
  type TestContext,
} from './support/harness.js';
import { dumpTables } from './support/snapshot.js';
import { onPostgres } from './support/database.js';
import { sql } from 'drizzle-orm';

let ctx: TestContext;
let event: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

async function freshEvent() {
  ctx.clock.set(T0);
  event = await createEvent(ctx);
  return event;
}

const at = (minutesAfterStart: number) =>
  new Date(Date.parse(event.starts_at) + minutesAfterStart * 60_000).toISOString();

type BatchItem = ScanJson & {
  index: number;
  replayed: boolean;
  displaced_entry?: { scanner_id: string; scanned_at: string };
};

async function sync(scannerId: string, scans: Array<{ qr: string; scanned_at: string; offline_result: string }>) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/scans/batch',
    headers: bearer(ctx.staffToken),
    payload: { scanner_id: scannerId, event_id: event.id, scans },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { results: BatchItem[]; conflicts: number };
}

async function cache(since?: string) {
  const res = await ctx.app.inject({
    url: `/api/v1/events/${event.id}/scanner-cache${since ? `?since=${encodeURIComponent(since)}` : ''}`,
    headers: bearer(ctx.staffToken),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    public_key: string;
    generated_at: string;
    full: boolean;
    event: { id: string; status: string };
    tickets: CachedTicket[];
  };
}

describe('scanner cache', () => {
  it('holds every paid and void ticket with what the decision needs, and a key that verifies codes offline', async () => {
    await freshEvent();
    const { order, host, reservationId } = await buyTable(ctx, event, 1, 'Hannah Host');
    const gina = await buyPaid(ctx, event.id, { name: 'Gina Guest' });
    const guest = gina.view.tickets[0]!;
    await linkWithInvite(ctx, { ticketId: guest.id, token: gina.manage_token }, order.view.reservation!.invite_code);
    const [ga, refunded] = (await buyPaid(ctx, event.id, { ga_quantity: 2, name: 'Gary' })).view.tickets;
    await setTicketsStatus(ctx.database.db, [refunded!.id], ['valid'], 'void');
    const pending = await placeOrder(ctx, event.id, { name: 'Pat Pending' });

    const c = await cache();
    expect(c.full).toBe(true);
    expect(c.event).toMatchObject({ id: event.id, status: 'scheduled' });
    const byId = new Map(c.tickets.map((t) => [t.id, t]));
    expect(c.tickets).toHaveLength(4);
    expect(byId.get(host.id)).toMatchObject({
      kind: 'vip_host',
      status: 'valid',
      holder_name: 'Hannah Host',
      reservation: {
        id: reservationId,
        role: 'host',
        status: 'confirmed',
        table_number: 1,
        tier: 'Gold',
        host_name: 'Hannah Host',
      },
    });
    expect(byId.get(guest.id)).toMatchObject({
      kind: 'vip_guest',
      reservation: { id: reservationId, role: 'guest', table_number: 1 },
    });
    expect(byId.get(ga!.id)).toEqual({
      id: ga!.id,
      holder_name: 'Gary',
      email: expect.stringMatching(/^buyer-\d+@example\.com$/),
      kind: 'ga',
      status: 'valid',
    });
    expect(byId.get(refunded!.id)).toMatchObject({ kind: 'ga', status: 'void' });
    expect(JSON.stringify(c)).not.toContain(pending.order_id);

    // The scanner page verifies signatures with WebCrypto and this key alone.
    const bytes = (u: Uint8Array) => new Uint8Array(u);
    const key = await crypto.subtle.importKey('raw', bytes(fromBase64Url(c.public_key)!), { name: 'Ed25519' }, false, [
      'verify',
    ]);
    const verify = (code: string) => {
      const parts = parseTicketCode(code)!;
      return crypto.subtle.verify({ name: 'Ed25519' }, key, bytes(parts.signature), bytes(parts.signed));
    };
    expect(await verify(host.qr!)).toBe(true);
    expect(await verify(ga!.qr!.replace(/\.[^.]+$/, `.${host.qr!.split('.')[2]}`))).toBe(false);

    // A scanner that accepts gzip gets the same cache gzipped.
    const zipped = await ctx.app.inject({
      url: `/api/v1/events/${event.id}/scanner-cache`,
      headers: { ...bearer(ctx.staffToken), 'accept-encoding': 'gzip' },
    });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const unzipped = JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8')) as typeof c;
    expect(unzipped.tickets.map((t) => t.id).sort()).toEqual(c.tickets.map((t) => t.id).sort());
  });

  it.runIf(onPostgres)(
    '?since= never misses a change that commits after the cursor was taken, however long its transaction ran (PostgreSQL)',
    async () => {
      await freshEvent();
      const [slow, quick] = (await buyPaid(ctx, event.id, { ga_quantity: 2 })).view.tickets;
      await ageEventRows(ctx, event.id, 3_600_000);
      let cursor = '';
      // A transaction changes a ticket (stamped now(): its start), and is still running while a
      // scanner takes its cache; another change commits in between. Both must be in the next delta.
      await ctx.database.transaction(async (tx) => {
        await tx.execute(
          sql`UPDATE tickets SET holder_name = 'Renamed Slowly', updated_at = now() WHERE id = ${slow!.id}`,
        );
        cursor = (await cache()).generated_at;
        await ctx.database.db.execute(
          sql`UPDATE tickets SET holder_name = 'Renamed Quickly', updated_at = now() WHERE id = ${quick!.id}`,
        );
      });
      const delta = await cache(cursor);
      expect(delta.tickets.map((t) => t.holder_name).sort()).toEqual(['Renamed Quickly', 'Renamed Slowly']);
      // Nothing running, nothing changed: the next delta is empty.
      const next = await cache(delta.generated_at);
      expect(next.tickets).toEqual([]);
    },
  );

  it('?since= returns only tickets whose row, link or reservation changed', async () => {
    await freshEvent();
    const { order, host, reservationId } = await buyTable(ctx, event, 2);
    const gas = await buyPaid(ctx, event.id, { ga_quantity: 5 });
    const [untouched, checkedIn, toLink, toUnlink, stays] = gas.view.tickets;
    const own = (t: { id: string }) => ({ ticketId: t.id, token: gas.manage_token });
    await linkWithInvite(ctx, own(toUnlink!), order.view.reservation!.invite_code);
    await linkWithInvite(ctx, own(stays!), order.view.reservation!.invite_code);
    const later = await placeOrder(ctx, event.id, { name: 'Late Payer' });
    // Everything so far happened "an hour ago"; the cursor is taken now.
    await ageEventRows(ctx, event.id, 3_600_000);
    const cursor = (await cache()).generated_at;

    // The guest leaves before the start (the list is locked after it); staff link another at the door.
    await unlinkOwn(ctx, own(toUnlink!));
    openDoors(ctx, event);
    await scan(ctx, checkedIn!.qr!, 'door-1');
    await linkAtDoor(ctx, reservationId, toLink!.id);
    const paid = await payOrder(ctx, later);

    const delta = await cache(cursor);
    expect(delta.full).toBe(false);
    const ids = delta.tickets.map((t) => t.id).sort();
    expect(ids).toEqual([checkedIn!.id, toLink!.id, toUnlink!.id, paid.tickets[0].id].sort());
    expect(ids).not.toContain(untouched!.id);
    expect(ids).not.toContain(host.id);
    // Linked before the cursor and unchanged since: not sent again.
    expect(ids).not.toContain(stays!.id);
    const byId = new Map(delta.tickets.map((t) => [t.id, t]));
    expect(byId.get(checkedIn!.id)).toMatchObject({ status: 'checked_in', first_scanner_id: 'door-1' });
    expect(byId.get(toLink!.id)).toMatchObject({ kind: 'vip_guest' });
    expect(byId.get(toUnlink!.id)!.kind).toBe('ga');
    expect(byId.get(toUnlink!.id)!.reservation).toBeUndefined();

    // The host arriving changes the reservation: both the host and its guests' entries come again.
    await ageEventRows(ctx, event.id, 3_600_000);
    const cursor2 = (await cache()).generated_at;
    await scan(ctx, host.qr!, 'door-1');
    const delta2 = await cache(cursor2);
    expect(delta2.tickets.map((t) => t.id).sort()).toEqual([host.id, toLink!.id, stays!.id].sort());
    expect(delta2.tickets.find((t) => t.id === host.id)!.reservation!.status).toBe('checked_in');
  });
});

describe('offline sync', () => {
  it('one GA code admitted offline at two doors: the earliest scan is the first entry, whichever batch arrives first', async () => {
    await freshEvent();
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event, 6 * 3_600_000); // the sync happens late in the night

    // Door B (scanned at :07) syncs before door A (scanned at :05).
    const doorB = await sync('door-b', [{ qr: ticket.qr!, scanned_at: at(7), offline_result: 'admitted' }]);
    expect(doorB).toMatchObject({
      conflicts: 0,
      results: [{ index: 0, result: 'admitted', offline_result: 'admitted' }],
    });
    const doorA = await sync('door-a', [{ qr: ticket.qr!, scanned_at: at(5), offline_result: 'admitted' }]);
    // A's scan was the first entry; B's, two minutes later, is the reported duplicate.
    expect(doorA.conflicts).toBe(1);
    expect(doorA.results[0]).toMatchObject({
      index: 0,
      result: 'admitted',
      displaced_entry: { scanner_id: 'door-b', scanned_at: at(7) },
    });
    expect(doorA.results[0]!.conflict).toBeUndefined();

    const row = (await findTicket(ctx.database.db, ticket.id))!;
    expect(row).toMatchObject({ status: 'checked_in', firstScannerId: 'door-a' });
    expect(row.checkedInAt!.toISOString()).toBe(at(5));
    const log = await scanRows(ctx, ticket.id);
    expect(log.map((s) => [s.scannerId, s.offline, s.offlineResult, s.result, s.conflict, s.displacedScanId])).toEqual([
      ['door-b', true, 'admitted', 'admitted', null, null],
      ['door-a', true, 'admitted', 'admitted', null, log[0]!.id],
    ]);
    expect(log[1]!.scannedAt.toISOString()).toBe(at(5));

    // Sending a batch again changes nothing and answers the same.
    const before = await dumpTables(ctx.database.db);
    const again = await sync('door-a', [{ qr: ticket.qr!, scanned_at: at(5), offline_result: 'admitted' }]);
    expect(await dumpTables(ctx.database.db)).toEqual(before);
    expect(again.results[0]).toEqual({ ...doorA.results[0], replayed: true });

    // In the usual order (A first), B is the conflict, as before.
    const other = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    await sync('door-a', [{ qr: other.qr!, scanned_at: at(5), offline_result: 'admitted' }]);
    const late = await sync('door-b', [{ qr: other.qr!, scanned_at: at(7), offline_result: 'admitted' }]);
    expect(late.results[0]).toMatchObject({
      result: 'rejected',
      conflict: 'already_checked_in',
      first_scanner_id: 'door-a',
      first_checked_in_at: at(5),
    });
    expect(late.results[0]!.message).toContain('Admitted offline');
  });

  it('a VIP host first scanned online, whose earlier offline scan syncs later: the table arrived at the earlier time, nothing reported', async () => {
    await freshEvent();
    const { host, reservationId } = await buyTable(ctx, event, 2);
    openDoors(ctx, event, 60 * 60_000);
    expect((await scan(ctx, host.qr!, 'door-online')).result).toBe('admitted');
    const r = await sync('door-offline', [{ qr: host.qr!, scanned_at: at(20), offline_result: 'admitted' }]);
    expect(r.conflicts).toBe(0);
    expect(r.results[0]).toMatchObject({ result: 'admitted' });
    expect(r.results[0]!.displaced_entry).toBeUndefined();
    expect((await findReservation(ctx.database.db, reservationId))!.checkedInAt!.toISOString()).toBe(at(20));
    expect((await findTicket(ctx.database.db, host.id))!).toMatchObject({ firstScannerId: 'door-offline' });
  });

  it('a scan dated in the future (a scanner with a wrong clock) is refused for that item alone and changes nothing', async () => {
    await freshEvent();
    const { host, reservationId } = await buyTable(ctx, event, 3);
    const ga = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    // Before the event: the host's scan is dated an hour ahead, inside the event window.
    ctx.clock.set(new Date(Date.parse(event.starts_at) - 30 * 60_000));
    const before = await dumpTables(ctx.database.db, ['tickets', 'reservations', 'scans']);
    const r = await sync('door-skewed', [
      { qr: host.qr!, scanned_at: at(30), offline_result: 'admitted' },
      {
        qr: ga.qr!,
        scanned_at: new Date(Date.parse(event.starts_at) - 29 * 60_000).toISOString(),
        offline_result: 'rejected',
      },
    ]);
    expect(r.results[0]).toMatchObject({
      index: 0,
      result: 'rejected',
      reason: 'scanned_in_future',
      conflict: 'scanned_in_future',
    });
    expect(r.results[0]!.message).toContain("Check the scanner's clock");
    // The other item is handled as usual (recorded: a refusal before the door opened).
    expect(r.results[1]).toMatchObject({ index: 1, result: 'rejected', reason: 'event_not_open' });
    expect((await findReservation(ctx.database.db, reservationId))!.status).toBe('confirmed');
    expect((await scanRows(ctx, host.id)).length).toBe(0);
    const after = await dumpTables(ctx.database.db, ['tickets', 'reservations']);
    expect(after).toEqual(await dumpTables(ctx.database.db, ['tickets', 'reservations']));
    expect(before.tickets).toEqual(after.tickets);
    // So the owner can still cancel the event before it starts.
    const preview = await ctx.app.inject({
      url: `/api/v1/events/${event.id}/cancellation`,
      headers: bearer(ctx.ownerToken),
    });
    expect(preview.statusCode, preview.body).toBe(200);
  });

  it('an offline admit of a code the server already checked in, or refunded, is a conflict, not a check-in', async () => {
    await freshEvent();
    const [online, refunded] = (await buyPaid(ctx, event.id, { ga_quantity: 2 })).view.tickets;
    openDoors(ctx, event, 3_600_000);
    await scan(ctx, online!.qr!, 'door-online'); // at :60
    await setTicketsStatus(ctx.database.db, [refunded!.id], ['valid'], 'void');
    const before = await dumpTables(ctx.database.db, ['tickets', 'reservations']);
    ctx.clock.advance(40 * 60_000);

    const r = await sync('door-offline', [
      { qr: online!.qr!, scanned_at: at(70), offline_result: 'admitted' },
      { qr: refunded!.qr!, scanned_at: at(71), offline_result: 'admitted' },
      { qr: 'V1.garbage.code', scanned_at: at(72), offline_result: 'admitted' },
    ]);
    expect(r.results.map((x) => [x.result, x.reason, x.conflict])).toEqual([
      ['rejected', 'already_checked_in', 'already_checked_in'],
      ['rejected', 'void', 'void'],
      ['rejected', 'invalid_code', 'invalid_code'],
    ]);
    expect(r.conflicts).toBe(3);
    expect(await dumpTables(ctx.database.db, ['tickets', 'reservations'])).toEqual(before);
    expect((await findTicket(ctx.database.db, online!.id))!.firstScannerId).toBe('door-online');
  });

  it('applies a batch in scanned_at order and reports a valid code turned away offline', async () => {
    await freshEvent();
    const { host, reservationId } = await buyTable(ctx, event, 1);
    const ga = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event, 3 * 3_600_000);

    const r = await sync('door-1', [
      { qr: host.qr!, scanned_at: at(40), offline_result: 'reentry' },
      { qr: host.qr!, scanned_at: at(10), offline_result: 'admitted' },
      { qr: ga.qr!, scanned_at: at(20), offline_result: 'rejected' },
    ]);
    expect(r.results.map((x) => [x.index, x.result, x.reason ?? null, x.conflict ?? null])).toEqual([
      [0, 'reentry', null, null],
      [1, 'admitted', null, null],
      [2, 'rejected', 'turned_away_offline', 'turned_away_but_valid'],
    ]);
    expect(r.results[0]!.vip).toMatchObject({ role: 'host', reservation_id: reservationId });
    const reservation = (await findReservation(ctx.database.db, reservationId))!;
    expect(reservation.status).toBe('checked_in');
    expect(reservation.checkedInAt!.toISOString()).toBe(at(10));
    // Nobody entered on the turned-away scan: the ticket still admits.
    expect((await findTicket(ctx.database.db, ga.id))!.status).toBe('valid');
    expect((await scan(ctx, ga.qr!, 'door-1')).result).toBe('admitted');
  });

  it('scans synced after the night was closed are decided at their own time, conflicts included', async () => {
    await freshEvent();
    const { host, reservationId } = await buyTable(ctx, event, 1);
    const ga = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    // The scanners stayed offline all night; the owner closed it three hours in, then they synced.
    openDoors(ctx, event, 3 * 3_600_000);
    const end = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/end`,
      headers: bearer(ctx.ownerToken),
    });
    expect(end.statusCode, end.body).toBe(200);
    expect((await findReservation(ctx.database.db, reservationId))!).toMatchObject({
      status: 'completed',
      noShow: true,
    });
    ctx.clock.advance(6 * 3_600_000);

    const doorA = await sync('door-a', [
      { qr: ga.qr!, scanned_at: at(5), offline_result: 'admitted' },
      { qr: host.qr!, scanned_at: at(10), offline_result: 'admitted' },
      { qr: ga.qr!, scanned_at: at(200), offline_result: 'admitted' }, // after the owner closed the night
    ]);
    const doorB = await sync('door-b', [{ qr: ga.qr!, scanned_at: at(7), offline_result: 'admitted' }]);
    expect(doorA.results.map((x) => [x.result, x.reason ?? null, x.conflict ?? null, x.ticket?.kind])).toEqual([
      ['admitted', null, null, 'ga'],
      ['admitted', null, null, 'vip_host'],
      ['rejected', 'event_not_open', 'event_not_open', 'ga'],
    ]);
    // One GA code admitted at two doors is reported as such, not hidden behind "door not open".
    expect(doorB.results[0]).toMatchObject({
      result: 'rejected',
      conflict: 'already_checked_in',
      first_scanner_id: 'door-a',
    });
    expect((await findTicket(ctx.database.db, ga.id))!.checkedInAt!.toISOString()).toBe(at(5));
    // The host came after all: the table is completed, and no longer a no-show.
    const reservation = (await findReservation(ctx.database.db, reservationId))!;
    expect(reservation).toMatchObject({ status: 'completed', noShow: false });
    expect(reservation.checkedInAt!.toISOString()).toBe(at(10));
    // An online scan after the close is still refused.
    expect(await scan(ctx, host.qr!, 'door-a')).toMatchObject({ result: 'rejected', reason: 'event_not_open' });
  });

  it('refuses bad batches as a whole with invalid_request', async () => {
    await freshEvent();
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans/batch',
      headers: bearer(ctx.staffToken),
      payload: { scanner_id: 'door-1', scans: [{ qr: 'x', scanned_at: 'yesterday', offline_result: 'maybe' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'invalid_request',
      details: { 'scans.0.scanned_at': expect.any(String), 'scans.0.offline_result': expect.any(String) },
    });
  });
});
