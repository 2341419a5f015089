import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideCheckIn,
  doorMessage,
  screenCode,
  ticketKind,
  type CheckInInput,
  type TableLink,
  type TicketFacts,
} from './check-in.js';
import { reconcileOfflineScan } from './offline-reconcile.js';
import { ticketFactsFromCache, toCachedTicket } from './scanner-cache.js';
import { eventStatuses, reservationStatuses, ticketStatuses, type ReservationStatus } from './state-machine.js';

const EVENT = '11111111-1111-4111-8111-111111111111';
const TICKET = '22222222-2222-4222-8222-222222222222';
const start = new Date('2030-06-02T22:00:00Z');
const end = new Date('2030-06-03T05:00:00Z');
const during = new Date('2030-06-02T23:00:00Z');

const ticket = (over: Partial<TicketFacts> = {}): TicketFacts => ({
  id: TICKET,
  eventId: EVENT,
  status: 'valid',
  checkedInAt: null,
  firstScannerId: null,
  table: null,
  ...over,
});
const table = (role: 'host' | 'guest', reservationStatus: ReservationStatus): TableLink => ({
  role,
  reservationId: 'r1',
  reservationStatus,
  tableId: 't1',
  tableNumber: 4,
  tier: 'Gold',
});
const input = (over: Partial<CheckInInput> = {}): CheckInInput => ({
  code: { eventId: EVENT, ticketId: TICKET },
  scannerEventId: EVENT,
  event: { status: 'scheduled', startsAt: start, endsAt: end },
  ticket: ticket(),
  recentEntries: [],
  scannerId: 'door-1',
  now: during,
  reentryWarningSeconds: 60,
  ...over,
});

describe('decideCheckIn', () => {
  it('screens codes before anything else', () => {
    expect(screenCode(null, EVENT)).toBe('invalid_code');
    expect(screenCode({ eventId: EVENT, ticketId: TICKET }, 'other')).toBe('wrong_event');
    expect(screenCode({ eventId: EVENT, ticketId: TICKET }, null)).toBeNull();
    // A bad code wins over every ticket fact, even a cancelled event.
    expect(
      decideCheckIn(input({ code: null, event: { status: 'cancelled', startsAt: start, endsAt: end } })),
    ).toMatchObject({ reason: 'invalid_code', kind: null });
    expect(decideCheckIn(input({ ticket: null }))).toMatchObject({ result: 'rejected', reason: 'invalid_code' });
    expect(decideCheckIn(input({ ticket: ticket({ eventId: 'x' }) }))).toMatchObject({ reason: 'invalid_code' });
  });

  it('opens the door exactly on [starts_at, ends_at)', () => {
    const at = (now: Date) => decideCheckIn(input({ now }));
    expect(at(new Date(start.getTime() - 1))).toMatchObject({ reason: 'event_not_open' });
    expect(at(start)).toMatchObject({ result: 'admitted' });
    expect(at(new Date(end.getTime() - 1))).toMatchObject({ result: 'admitted' });
    expect(at(end)).toMatchObject({ reason: 'event_not_open' });
  });

  it('checks the host reservation in with the ticket, and only a confirmed one', () => {
    expect(decideCheckIn(input({ ticket: ticket({ table: table('host', 'confirmed') }) }))).toMatchObject({
      result: 'admitted',
      kind: 'vip_host',
      checkInTicket: true,
      checkInReservation: true,
    });
    expect(
      decideCheckIn(
        input({
          ticket: ticket({
            status: 'checked_in',
            checkedInAt: start,
            firstScannerId: 'door-2',
            table: table('host', 'checked_in'),
          }),
        }),
      ),
    ).toMatchObject({
      result: 'reentry',
      alreadyCheckedIn: true,
      checkInTicket: false,
      checkInReservation: false,
      firstScannerId: 'door-2',
    });
    expect(decideCheckIn(input({ ticket: ticket({ table: table('guest', 'confirmed') }) }))).toMatchObject({
      kind: 'vip_guest',
      checkInReservation: false,
    });
  });

  it('treats a ticket on a pending or cancelled reservation as plain GA', () => {
    for (const s of ['pending', 'cancelled'] as const) {
      expect(ticketKind(ticket({ table: table('guest', s) }))).toBe('ga');
      expect(ticketKind(ticket({ table: table('host', s) }))).toBe('ga');
    }
  });

  it('decides a scan dated before a completed event ended as open, and one after as event_not_open', () => {
    const closedAt = new Date(during.getTime() + 60_000);
    const completed = { status: 'completed' as const, startsAt: start, endsAt: end, completedAt: closedAt };
    expect(decideCheckIn(input({ event: completed }))).toMatchObject({ result: 'admitted', kind: 'ga' });
    expect(decideCheckIn(input({ event: completed, now: closedAt }))).toMatchObject({ reason: 'event_not_open' });
    expect(decideCheckIn(input({ event: { ...completed, completedAt: null } }))).toMatchObject({
      reason: 'event_not_open',
    });
    expect(
      decideCheckIn(input({ event: completed, ticket: ticket({ table: table('host', 'completed') }) })),
    ).toMatchObject({
      result: 'admitted',
      kind: 'vip_host',
      checkInReservation: false,
    });
  });

  it('warns on a VIP entry at another scanner within the configured window, either side of now', () => {
    const vip = ticket({
      status: 'checked_in',
      checkedInAt: start,
      firstScannerId: 'door-2',
      table: table('guest', 'confirmed'),
    });
    const entries = (...xs: Array<[string, number]>) =>
      xs.map(([scannerId, dt]) => ({ scannerId, at: new Date(during.getTime() + dt * 1000) }));
    const warn = (over: Partial<CheckInInput>) => {
      const d = decideCheckIn(input({ ticket: vip, ...over }));
      return d.result === 'rejected' ? 'rejected' : d.warning;
    };
    expect(warn({ recentEntries: entries(['door-2', -30], ['door-3', -5]) })).toMatchObject({
      scanner_id: 'door-3',
      seconds_apart: 5,
    });
    expect(warn({ recentEntries: entries(['door-2', 20]) })).toMatchObject({ scanner_id: 'door-2', seconds_apart: 20 });
    expect(warn({ recentEntries: entries(['door-1', -1], ['door-2', -61]) })).toBeNull();
    expect(warn({ recentEntries: entries(['door-2', -30]), reentryWarningSeconds: 10 })).toBeNull();
    expect(warn({ recentEntries: entries(['door-2', -1]), reentryWarningSeconds: 0 })).toBeNull();
  });

  it('words the door message per kind', () => {
    const d = (t: TicketFacts) => decideCheckIn(input({ ticket: t }));
    const host = ticket({ table: table('host', 'confirmed') });
    expect(doorMessage(d(host), host.table)).toBe('VIP host, Table 4 (Gold)');
    const guest = ticket({ status: 'checked_in', checkedInAt: start, table: table('guest', 'checked_in') });
    expect(doorMessage(d(guest), guest.table)).toBe('Guest of Table 4 (Gold) (re-entry)');
    const ga = ticket({ status: 'checked_in', checkedInAt: start, firstScannerId: 'door-7' });
    expect(doorMessage(d(ga), null)).toBe(`Already checked in ${start.toISOString()} at door-7`);
  });

  it('is total and consistent over every combination of statuses (property)', () => {
    const arb = fc.record({
      status: fc.constantFrom(...ticketStatuses),
      eventStatus: fc.constantFrom(...eventStatuses),
      role: fc.constantFrom('host' as const, 'guest' as const, null),
      reservationStatus: fc.constantFrom(...reservationStatuses),
      offsetMin: fc.integer({ min: -600, max: 1000 }),
      scannerEvent: fc.constantFrom(EVENT, null, 'elsewhere'),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const t = ticket({
          status: a.status,
          checkedInAt: a.status === 'checked_in' ? start : null,
          table: a.role ? table(a.role, a.reservationStatus) : null,
        });
        const now = new Date(start.getTime() + a.offsetMin * 60_000);
        const d = decideCheckIn(
          input({
            ticket: t,
            now,
            scannerEventId: a.scannerEvent,
            event: { status: a.eventStatus, startsAt: start, endsAt: end },
          }),
        );
        // Only a paid ticket, inside an open window, for this scanner's event ever gets in.
        if (d.result !== 'rejected') {
          expect(['valid', 'checked_in']).toContain(a.status);
          expect(a.eventStatus).toBe('scheduled');
          expect(a.scannerEvent === 'elsewhere').toBe(false);
          expect(now >= start && now < end).toBe(true);
          expect(d.checkInTicket).toBe(a.status === 'valid');
          expect(d.result).toBe(a.status === 'valid' ? 'admitted' : 'reentry');
        }
        // GA never re-enters; only a host ever moves a reservation, and only a confirmed one.
        if (d.result === 'reentry') expect(d.kind).not.toBe('ga');
        if (d.result !== 'rejected' && d.checkInReservation) {
          expect(d.kind).toBe('vip_host');
          expect(a.reservationStatus).toBe('confirmed');
        }
        // The offline scanner decides the same from the cache's round trip of the same facts.
        const cached = ticketFactsFromCache(EVENT, toCachedTicket({ ...t, holderName: 'X', hostName: 'Y' }));
        expect(
          decideCheckIn(
            input({
              ticket: cached,
              now,
              scannerEventId: a.scannerEvent,
              event: { status: a.eventStatus, startsAt: start, endsAt: end },
            }),
          ),
        ).toEqual(d);
      }),
      { numRuns: 500 },
    );
  });
});

describe('reconcileOfflineScan', () => {
  const admitted = decideCheckIn(input());
  const already = decideCheckIn(input({ ticket: ticket({ status: 'checked_in', checkedInAt: start }) }));
  it.each([
    ['admitted', admitted, { apply: true, result: 'admitted', reason: null, conflict: null }],
    ['reentry', admitted, { apply: true, result: 'admitted', reason: null, conflict: null }],
    [
      'admitted',
      already,
      { apply: false, result: 'rejected', reason: 'already_checked_in', conflict: 'already_checked_in' },
    ],
    [
      'rejected',
      admitted,
      { apply: false, result: 'rejected', reason: 'turned_away_offline', conflict: 'turned_away_but_valid' },
    ],
    ['rejected', already, { apply: false, result: 'rejected', reason: 'already_checked_in', conflict: null }],
  ] as const)('device %s, server %#', (device, decision, want) => {
    expect(reconcileOfflineScan(device, decision)).toEqual(want);
  });
});
