import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideLink, guestPlaces, unlinkRefusal, type LinkFacts } from './guest-list.js';
import { reservationStatuses, ticketStatuses } from './state-machine.js';

const STARTS = new Date('2030-06-02T22:00:00Z');
const ENDS = new Date('2030-06-03T05:00:00Z');
const BEFORE = new Date('2030-06-02T21:59:59Z');
const DURING = new Date('2030-06-02T23:00:00Z');

function facts(over: Partial<LinkFacts> = {}): LinkFacts {
  return {
    actor: 'guest',
    now: BEFORE,
    event: { status: 'scheduled', startsAt: STARTS, endsAt: ENDS },
    reservation: { id: 'r1', eventId: 'e1', status: 'confirmed', tableNumber: 4, tierCapacity: 8 },
    ticket: { id: 't1', eventId: 'e1', status: 'valid' },
    hostOf: null,
    activeLink: null,
    guestsLinked: 0,
    overrideCapacity: false,
    ...over,
  };
}

const codeOf = (f: LinkFacts) => {
  const d = decideLink(f);
  return d.ok ? (d.overCapacity ? 'ok_over' : 'ok') : d.refusal.code;
};

describe('guest places', () => {
  it('counts the host: capacity 8 takes 7 guests, capacity 1 none', () => {
    expect(guestPlaces(8)).toBe(7);
    expect(guestPlaces(1)).toBe(0);
  });
});

describe('decideLink', () => {
  it('links a valid ticket of the same event to a paid table before the start', () => {
    expect(codeOf(facts())).toBe('ok');
    expect(codeOf(facts({ reservation: { ...facts().reservation, status: 'checked_in' } }))).toBe('ok');
  });

  it('refuses a ticket of another event', () => {
    expect(codeOf(facts({ ticket: { id: 't1', eventId: 'e2', status: 'valid' } }))).toBe('wrong_event');
  });

  it('takes guests only on a confirmed or checked-in reservation', () => {
    for (const status of reservationStatuses) {
      const code = codeOf(facts({ reservation: { ...facts().reservation, status } }));
      expect([status, code]).toEqual([
        status,
        status === 'confirmed' || status === 'checked_in' ? 'ok' : 'reservation_not_active',
      ]);
    }
  });

  it('locks the list for guests at starts_at exactly, but not for staff', () => {
    expect(codeOf(facts({ now: STARTS }))).toBe('guest_list_locked');
    expect(codeOf(facts({ now: DURING }))).toBe('guest_list_locked');
    expect(codeOf(facts({ now: DURING, actor: 'staff' }))).toBe('ok');
  });

  it('closes for everyone once the event is cancelled, completed or past its end', () => {
    expect(codeOf(facts({ actor: 'staff', event: { status: 'cancelled', startsAt: STARTS, endsAt: ENDS } }))).toBe(
      'event_cancelled',
    );
    expect(codeOf(facts({ actor: 'staff', event: { status: 'completed', startsAt: STARTS, endsAt: ENDS } }))).toBe(
      'event_ended',
    );
    expect(codeOf(facts({ actor: 'staff', now: ENDS }))).toBe('event_ended');
  });

  it("refuses any reservation's host ticket, at its own table or another", () => {
    const own = decideLink(facts({ hostOf: { reservationId: 'r1', tableNumber: 4 } }));
    const other = decideLink(facts({ hostOf: { reservationId: 'r2', tableNumber: 9 } }));
    expect(own.ok || own.refusal).toMatchObject({ code: 'host_ticket', details: { reservation_id: 'r1' } });
    expect(other.ok || other.refusal).toMatchObject({
      code: 'host_ticket',
      message: expect.stringContaining('Table 9'),
    });
  });

  it('lets guests link only valid tickets; staff also checked-in ones', () => {
    for (const status of ticketStatuses) {
      const ticket = { id: 't1', eventId: 'e1', status };
      expect([status, codeOf(facts({ ticket }))]).toEqual([status, status === 'valid' ? 'ok' : 'ticket_not_valid']);
      const staff = codeOf(facts({ ticket, actor: 'staff' }));
      expect([status, staff]).toEqual([
        status,
        status === 'valid' || status === 'checked_in' ? 'ok' : 'ticket_not_valid',
      ]);
    }
  });

  it('refuses a ticket already linked, to this table or another', () => {
    expect(codeOf(facts({ activeLink: { reservationId: 'r1' } }))).toBe('ticket_already_linked');
    expect(codeOf(facts({ activeLink: { reservationId: 'r2' }, actor: 'staff', overrideCapacity: true }))).toBe(
      'ticket_already_linked',
    );
  });

  it('fills to capacity less the host, then refuses table_full; override is staff-only and marked', () => {
    expect(codeOf(facts({ guestsLinked: 6 }))).toBe('ok');
    const full = decideLink(facts({ guestsLinked: 7 }));
    expect(full.ok || full.refusal).toMatchObject({
      code: 'table_full',
      details: { capacity: 8, guest_places: 7, guests_linked: 7 },
    });
    expect(codeOf(facts({ guestsLinked: 7, overrideCapacity: true }))).toBe('table_full');
    expect(codeOf(facts({ guestsLinked: 7, actor: 'staff' }))).toBe('table_full');
    expect(codeOf(facts({ guestsLinked: 7, actor: 'staff', overrideCapacity: true }))).toBe('ok_over');
    // An override that was not needed is not recorded as one.
    expect(codeOf(facts({ guestsLinked: 3, actor: 'staff', overrideCapacity: true }))).toBe('ok');
  });

  it('never lets a table pass its guest places without a staff override (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom<'guest' | 'staff'>('guest', 'staff'),
        fc.boolean(),
        (capacity, linked, actor, override) => {
          const d = decideLink(
            facts({
              actor,
              guestsLinked: linked,
              overrideCapacity: override,
              reservation: { ...facts().reservation, tierCapacity: capacity },
            }),
          );
          if (!d.ok) return true;
          if (linked + 1 > capacity - 1) return actor === 'staff' && override && d.overCapacity;
          return !d.overCapacity;
        },
      ),
    );
  });
});

describe('unlinkRefusal', () => {
  const event = { status: 'scheduled' as const, startsAt: STARTS, endsAt: ENDS };

  it('lets guests and purchasers unlink until starts_at, then locks them out', () => {
    for (const actor of ['guest', 'purchaser'] as const) {
      expect(unlinkRefusal({ actor, now: BEFORE, event, reservationStatus: 'confirmed' })).toBeNull();
      expect(unlinkRefusal({ actor, now: STARTS, event, reservationStatus: 'confirmed' })?.code).toBe(
        'guest_list_locked',
      );
    }
    expect(unlinkRefusal({ actor: 'staff', now: DURING, event, reservationStatus: 'checked_in' })).toBeNull();
  });

  it('keeps the list of a cancelled or completed reservation as it was', () => {
    expect(unlinkRefusal({ actor: 'guest', now: BEFORE, event, reservationStatus: 'cancelled' })?.code).toBe(
      'reservation_not_active',
    );
    expect(
      unlinkRefusal({
        actor: 'guest',
        now: BEFORE,
        event: { ...event, status: 'cancelled' },
        reservationStatus: 'cancelled',
      })?.code,
    ).toBe('event_cancelled');
  });
});

describe('linking and unlinking refuse in one order', () => {
  it('for every event state, reservation status and actor, an unlink is refused for the same reason a link is', () => {
    const AFTER = new Date('2030-06-03T06:00:00Z');
    const events = [
      { status: 'scheduled' as const, now: BEFORE },
      { status: 'scheduled' as const, now: DURING },
      { status: 'scheduled' as const, now: AFTER },
      { status: 'cancelled' as const, now: BEFORE },
      { status: 'completed' as const, now: DURING },
    ];
    const actors = ['guest', 'purchaser', 'staff'] as const;
    let compared = 0;
    for (const e of events) {
      for (const status of reservationStatuses) {
        for (const actor of actors) {
          const event = { status: e.status, startsAt: STARTS, endsAt: ENDS };
          const unlink = unlinkRefusal({ actor, now: e.now, event, reservationStatus: status });
          // Linking is a guest's or staff's act; the purchaser's unlink shares the guest's rules.
          const link = decideLink(
            facts({
              actor: actor === 'staff' ? 'staff' : 'guest',
              now: e.now,
              event,
              reservation: { ...facts().reservation, status },
            }),
          );
          const linkCode = link.ok ? null : link.refusal.code;
          expect(unlink?.code ?? null, `${e.status} at ${e.now.toISOString()}, reservation ${status}, ${actor}`).toBe(
            ['event_cancelled', 'event_ended', 'reservation_not_active', 'guest_list_locked'].includes(linkCode ?? '')
              ? linkCode
              : null,
          );
          compared++;
        }
      }
    }
    expect(compared).toBe(events.length * reservationStatuses.length * actors.length);
  });
});
