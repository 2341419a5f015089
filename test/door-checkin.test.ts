import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateEvent } from '../src/db/repos/events.repo.js';
import { findReservation, updateReservation } from '../src/db/repos/reservations.repo.js';
import { findTicket, setTicketsStatus } from '../src/db/repos/tickets.repo.js';
import { decideCheckIn } from '../src/domain/check-in.js';
import {
  eventWindowFromCache,
  ticketFactsFromCache,
  type CachedEvent,
  type CachedTicket,
} from '../src/domain/scanner-cache.js';
import { buyTable, linkWithInvite, openDoors, scan, unlinkOwn, writeGuestLink, type ScanJson } from './support/door.js';
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
import { dumpTables } from './support/snapshot.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

type Kind = 'ga' | 'vip_host' | 'vip_guest';
type State =
  | 'paid'
  | 'unpaid'
  | 'table_unpaid'
  | 'unlinked'
  | 'void'
  | 'event_cancelled'
  | 'too_early'
  | 'after_end'
  | 'event_completed';
/** `admitted`/`reentry`, or the rejection reason. */
type Expected =
  'admitted' | 'reentry' | 'already_checked_in' | 'not_paid' | 'void' | 'event_cancelled' | 'event_not_open';

interface Scenario {
  event: EventInfo;
  qr: string;
  ticketId: string;
  reservationId: string | null;
}

/**
 * Builds one ticket of `kind` in `state`, each in its own event so event-level states don't leak.
 * Codes of unpaid tickets are signed here: the shop never shows one, but a code copied from a
 * later-unpaid ticket must still be refused by rule, not by luck.
 */
async function build(kind: Kind, state: State): Promise<Scenario> {
  ctx.clock.set(T0);
  const event = await createEvent(ctx);
  const db = ctx.database.db;
  const sign = (ticketId: string) => ctx.deps.keys.signer.sign(event.id, ticketId);
  let ticketId: string;
  let reservationId: string | null = null;

  if (kind === 'vip_host' && state === 'unpaid') {
    const placed = await placeOrder(ctx, event.id, { ga_quantity: 1, table_id: event.tables[0]!.id });
    const view = (
      await ctx.app.inject({ url: `/api/v1/orders/${placed.order_id}`, headers: bearer(placed.manage_token) })
    ).json();
    ticketId = view.tickets[0].id;
  } else if (kind === 'vip_host') {
    const t = await buyTable(ctx, event, 1);
    ticketId = t.host.id;
    reservationId = t.reservationId;
  } else if (state === 'unpaid') {
    const placed = await placeOrder(ctx, event.id, { name: 'Una Unpaid' });
    const view = (
      await ctx.app.inject({ url: `/api/v1/orders/${placed.order_id}`, headers: bearer(placed.manage_token) })
    ).json();
    ticketId = view.tickets[0].id;
    if (kind === 'vip_guest') {
      // Written directly: the guest list refuses an unpaid ticket (ticket_not_valid), and a ticket
      // never goes back to pending, so no API sequence reaches this; the door must still refuse it.
      const t = await buyTable(ctx, event, 1);
      await writeGuestLink(ctx, event.id, ticketId, t.reservationId);
    }
  } else {
    const guest = await buyPaid(ctx, event.id, { name: 'Gina Guest' });
    ticketId = guest.view.tickets[0]!.id;
    if (kind === 'vip_guest' && state === 'table_unpaid') {
      // Written directly: a held table takes no guests (reservation_not_active) and a reservation
      // never goes back to pending; the door must still treat the ticket as plain GA.
      const placed = await placeOrder(ctx, event.id, { ga_quantity: 1, table_id: event.tables[0]!.id });
      reservationId = (
        await ctx.app.inject({ url: `/api/v1/orders/${placed.order_id}`, headers: bearer(placed.manage_token) })
      ).json().reservation.id;
      await writeGuestLink(ctx, event.id, ticketId, reservationId!);
    } else if (kind === 'vip_guest') {
      const table = await buyTable(ctx, event, 1);
      reservationId = table.reservationId;
      const own = { ticketId, token: guest.manage_token };
      await linkWithInvite(ctx, own, table.order.view.reservation!.invite_code);
      if (state === 'unlinked') await unlinkOwn(ctx, own);
    }
  }

  if (state === 'void') {
    expect(await setTicketsStatus(db, [ticketId], ['valid'], 'void')).toHaveLength(1);
    if (kind === 'vip_host') await updateReservation(db, reservationId!, { status: 'cancelled' });
  }
  if (state === 'event_cancelled')
    await updateEvent(db, event.id, { status: 'cancelled', cancelledAt: ctx.clock.now() });

  if (state === 'too_early') ctx.clock.set(T0);
  else if (state === 'after_end') ctx.clock.set(event.ends_at);
  else openDoors(ctx, event);
  if (state === 'event_completed') {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/end`,
      headers: bearer(ctx.ownerToken),
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  return { event, qr: sign(ticketId), ticketId, reservationId };
}

const BOTH = (e: Expected) => [e, e] as const;
const CASES: Array<[Kind, State, Expected, Expected, Kind | null]> = [
  ['ga', 'paid', 'admitted', 'already_checked_in', 'ga'],
  ['vip_host', 'paid', 'admitted', 'reentry', 'vip_host'],
  ['vip_guest', 'paid', 'admitted', 'reentry', 'vip_guest'],
  // A guest of a table that is not paid yet is a plain GA ticket holder at the door.
  ['vip_guest', 'table_unpaid', 'admitted', 'already_checked_in', 'ga'],
  // Unlinked before the event: plain GA again, no re-entry.
  ['vip_guest', 'unlinked', 'admitted', 'already_checked_in', 'ga'],
  ...(['ga', 'vip_host', 'vip_guest'] as const).flatMap((k): Array<[Kind, State, Expected, Expected, Kind | null]> => [
    [k, 'unpaid', ...BOTH('not_paid'), null],
    [k, 'void', ...BOTH('void'), null],
    [k, 'event_cancelled', ...BOTH('event_cancelled'), null],
    [k, 'too_early', ...BOTH('event_not_open'), null],
    [k, 'after_end', ...BOTH('event_not_open'), null],
    [k, 'event_completed', ...BOTH('event_not_open'), null],
  ]),
];

const outcome = (r: Pick<ScanJson, 'result' | 'reason'>) => (r.result === 'rejected' ? r.reason : r.result);

async function cacheOf(eventId: string) {
  const res = await ctx.app.inject({ url: `/api/v1/events/${eventId}/scanner-cache`, headers: bearer(ctx.staffToken) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { event: CachedEvent; tickets: CachedTicket[] };
}

/** What an offline scanner holding a fresh cache would decide: it must match the server. */
async function offlineDecision(s: Scenario, scannerId: string) {
  const cache = await cacheOf(s.event.id);
  const cached = cache.tickets.find((t) => t.id === s.ticketId);
  const d = decideCheckIn({
    code: { eventId: s.event.id, ticketId: s.ticketId },
    scannerEventId: s.event.id,
    event: eventWindowFromCache(cache.event),
    ticket: cached ? ticketFactsFromCache(s.event.id, cached) : null,
    recentEntries: [],
    scannerId,
    now: ctx.clock.now(),
    reentryWarningSeconds: 60,
  });
  return { cached: Boolean(cached), outcome: d.result === 'rejected' ? d.reason : d.result };
}

describe('check-in: every ticket kind × state × first/second scan', () => {
  it.each(CASES)('%s ticket, %s: first %s, second %s', async (kind, state, first, second, admittedKind) => {
    const s = await build(kind, state);
    const rowsBefore = await dumpTables(ctx.database.db, ['tickets', 'reservations', 'orders', 'guest_links']);

    for (const [n, expected] of [first, second].entries()) {
      const offline = await offlineDecision(s, `door-${n + 1}`);
      const res = await scan(ctx, s.qr, `door-${n + 1}`, { event_id: s.event.id });
      expect(outcome(res), res.message).toBe(expected);
      // Pending tickets are not in the cache; every other one decides offline exactly as online.
      if (state !== 'unpaid') expect(offline).toEqual({ cached: true, outcome: expected });
      expect(res.ticket?.id).toBe(s.ticketId);
      if (admittedKind) expect(res.ticket?.kind).toBe(admittedKind);
      expect(res.already_checked_in).toBe(n === 1 && first === 'admitted');
      if (expected === 'already_checked_in' || expected === 'reentry') {
        expect(res.first_scanner_id).toBe('door-1');
        expect(res.first_checked_in_at).toBe(ctx.clock.now().toISOString());
      }
    }

    const ticket = (await findTicket(ctx.database.db, s.ticketId))!;
    if (first === 'admitted') {
      expect(ticket.status).toBe('checked_in');
      expect(ticket.firstScannerId).toBe('door-1');
      if (kind === 'vip_host') {
        const r = (await findReservation(ctx.database.db, s.reservationId!))!;
        expect(r.status).toBe('checked_in');
        expect(r.checkedInAt?.toISOString()).toBe(ctx.clock.now().toISOString());
      }
    } else {
      // A refused scan changes nothing but the scan log.
      expect(await dumpTables(ctx.database.db, ['tickets', 'reservations', 'orders', 'guest_links'])).toEqual(
        rowsBefore,
      );
    }
  });
});

describe('VIP at the door', () => {
  it('shows the host full VIP details, guests as "Guest of Table N", and moves the floor plan', async () => {
    ctx.clock.set(T0);
    const event = await createEvent(ctx);
    const { order, host, reservationId, tableId } = await buyTable(ctx, event, 2, 'Hannah Host');
    const ann = await buyPaid(ctx, event.id, { name: 'Ann Early' });
    const bob = await buyPaid(ctx, event.id, { name: 'Bob Late' });
    const [g1, g2] = [ann.view.tickets[0]!, bob.view.tickets[0]!];
    const inviteCode = order.view.reservation!.invite_code;
    await linkWithInvite(ctx, { ticketId: g1.id, token: ann.manage_token }, inviteCode);
    // Links are stamped with the (frozen) clock and listed in link order: Bob links a minute later.
    ctx.clock.advance(60_000);
    await linkWithInvite(ctx, { ticketId: g2.id, token: bob.manage_token }, inviteCode);
    openDoors(ctx, event);
    const table = async () =>
      (await ctx.app.inject({ url: `/api/v1/events/${event.id}/floor-plan`, headers: bearer(ctx.staffToken) }))
        .json()
        .tables.find((t: { id: string }) => t.id === tableId);

    // A guest may enter before the host: the table is paid.
    const guest = await scan(ctx, g1.qr!, 'door-1');
    expect(guest).toMatchObject({
      result: 'admitted',
      message: 'Guest of Table 2 (Gold)',
      ticket: { kind: 'vip_guest', holder_name: 'Ann Early' },
    });
    expect(guest.vip).toMatchObject({
      reservation_id: reservationId,
      table_number: 2,
      tier: 'Gold',
      role: 'guest',
      host_name: 'Hannah Host',
    });
    expect(await table()).toMatchObject({ status: 'reserved', guests_arrived: 1, host_arrived: false });

    const first = await scan(ctx, host.qr!, 'door-1');
    expect(first).toMatchObject({
      result: 'admitted',
      already_checked_in: false,
      ticket: { kind: 'vip_host', holder_name: 'Hannah Host' },
    });
    expect(first.message).toBe('VIP host, Table 2 (Gold)');
    expect(first.vip).toEqual({
      reservation_id: reservationId,
      table_number: 2,
      tier: 'Gold',
      role: 'host',
      host_name: 'Hannah Host',
      guests: [
        { ticket_id: expect.any(String), name: 'Ann Early', arrived: true },
        { ticket_id: expect.any(String), name: 'Bob Late', arrived: false },
      ],
    });
    expect(await table()).toMatchObject({ status: 'arrived', host_arrived: true, guests_linked: 2, guests_arrived: 1 });

    ctx.clock.advance(3_600_000);
    const again = await scan(ctx, host.qr!, 'door-1');
    expect(again).toMatchObject({
      result: 'reentry',
      already_checked_in: true,
      first_scanner_id: 'door-1',
      vip: { role: 'host' },
    });
    expect(again.warning).toBeUndefined();
    expect((await findReservation(ctx.database.db, reservationId))!.status).toBe('checked_in');
    expect(await scan(ctx, g1.qr!, 'door-1')).toMatchObject({
      result: 'reentry',
      already_checked_in: true,
      ticket: { kind: 'vip_guest' },
    });
  });

  it('warns when a VIP code enters at a second scanner within the window, naming the first', async () => {
    ctx.clock.set(T0);
    const event = await createEvent(ctx);
    const { host } = await buyTable(ctx, event, 1);
    const ga = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);

    expect((await scan(ctx, host.qr!, 'door-1')).warning).toBeUndefined();
    ctx.clock.advance(10_000);
    const second = await scan(ctx, host.qr!, 'door-2');
    expect(second.result).toBe('reentry');
    expect(second.warning).toMatchObject({ code: 'recent_entry_elsewhere', scanner_id: 'door-1', seconds_apart: 10 });
    expect(second.warning!.message).toContain('door-1');
    // The same scanner again is an ordinary re-entry, and so is another scanner after the window.
    ctx.clock.advance(5_000);
    expect((await scan(ctx, host.qr!, 'door-2')).warning).toMatchObject({ scanner_id: 'door-1', seconds_apart: 15 });
    ctx.clock.advance(61_000);
    expect((await scan(ctx, host.qr!, 'door-1')).warning).toBeUndefined();

    await scan(ctx, ga.qr!, 'door-1');
    const gaAgain = await scan(ctx, ga.qr!, 'door-2');
    expect(gaAgain).toMatchObject({ result: 'rejected', reason: 'already_checked_in', first_scanner_id: 'door-1' });
    expect(gaAgain.warning).toBeUndefined();
  });

  it('names the nearest entry elsewhere when there are several in the window, skipping its own scanner', async () => {
    ctx.clock.set(T0);
    const event = await createEvent(ctx);
    const { host } = await buyTable(ctx, event, 1);
    openDoors(ctx, event);
    await scan(ctx, host.qr!, 'door-1');
    ctx.clock.advance(20_000);
    await scan(ctx, host.qr!, 'door-3');
    ctx.clock.advance(5_000);
    await scan(ctx, host.qr!, 'door-2');
    ctx.clock.advance(3_000);
    // door-2's own entry 3 s ago does not count; door-3's 8 s ago is nearer than door-1's 28 s.
    expect((await scan(ctx, host.qr!, 'door-2')).warning).toMatchObject({ scanner_id: 'door-3', seconds_apart: 8 });
  });
});
