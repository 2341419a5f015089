import { hasEnded, hasStarted, type EventWindow } from './event-rules.js';
import type { ReservationStatus, TicketStatus } from './state-machine.js';

/**
 * Guest-list rules (SPEC decisions 7–8 and "Guest linking"), pure so they can be tested exhaustively
 * and shown in the scanner page. The service gathers the facts under its locks and asks these
 * functions; whatever they answer is final for that transaction.
 *
 * Who acts:
 * - `guest`: a ticket's own order token, with the table's invite code (the purchaser linking their
 *   extra tickets to their own table is a `guest` action too);
 * - `purchaser`: the reservation's order token, removing someone from their list;
 * - `staff`: a staff or owner account at the door, also during the event.
 *
 * Choices recorded here:
 * - Capacity counts people, the host included: a tier of capacity 8 takes 7 linked guests.
 * - Only a `confirmed` or `checked_in` reservation (its table paid) takes guests; a held (pending),
 *   cancelled or completed one refuses with `reservation_not_active`.
 * - A guest (or purchaser) may link only a `valid` ticket (paid, not yet used). Staff may also link
 *   a `checked_in` ticket: someone who came in on plain GA and joins a table during the night is
 *   already inside, and the link gives them the table's re-entry from then on.
 * - Every reservation's host ticket is its table's code and cannot also be someone's guest ticket
 *   (`host_ticket`), neither at its own table nor at another.
 * - Staff may pass capacity only with an explicit override; the link then records it. A link that
 *   fits is never marked as an override, even when the flag was sent.
 */
export type GuestListActor = 'guest' | 'purchaser' | 'staff';

export type GuestListRefusalCode =
  | 'wrong_event'
  | 'event_cancelled'
  | 'event_ended'
  | 'reservation_not_active'
  | 'guest_list_locked'
  | 'host_ticket'
  | 'ticket_not_valid'
  | 'ticket_already_linked'
  | 'table_full';

export interface GuestListRefusal {
  code: GuestListRefusalCode;
  message: string;
  details?: Record<string, unknown>;
}

/** Guest places of a table: its tier's capacity less the host. */
export const guestPlaces = (tierCapacity: number): number => Math.max(0, tierCapacity - 1);

const TAKES_GUESTS: readonly ReservationStatus[] = ['confirmed', 'checked_in'];

export interface LinkFacts {
  actor: 'guest' | 'staff';
  now: Date;
  event: EventWindow;
  reservation: { id: string; eventId: string; status: ReservationStatus; tableNumber: number; tierCapacity: number };
  ticket: { id: string; eventId: string; status: TicketStatus };
  /** The live reservation whose host code this ticket is, if any. */
  hostOf: { reservationId: string; tableNumber: number } | null;
  /** The reservation this ticket is linked to right now, if any. */
  activeLink: { reservationId: string } | null;
  /** Active guest links on the reservation, counted under its row lock. */
  guestsLinked: number;
  overrideCapacity: boolean;
}

export type LinkDecision = { ok: true; overCapacity: boolean } | { ok: false; refusal: GuestListRefusal };

/** Whether a ticket may join a table's guest list now; the first rule that refuses wins. */
export function decideLink(f: LinkFacts): LinkDecision {
  const refuse = (code: GuestListRefusalCode, message: string, details?: Record<string, unknown>): LinkDecision => ({
    ok: false,
    refusal: details ? { code, message, details } : { code, message },
  });
  const table = `Table ${f.reservation.tableNumber}`;

  if (f.ticket.eventId !== f.reservation.eventId) {
    return refuse('wrong_event', `This ticket is for another event than ${table}`);
  }
  const closed = listClosed(f.event, f.now, f.reservation.status, f.actor, `${table} takes no guests`);
  if (closed) return { ok: false, refusal: closed };
  if (f.hostOf) {
    const own = f.hostOf.reservationId === f.reservation.id;
    return refuse(
      'host_ticket',
      own
        ? `This is the host's own ticket: it is already ${table}'s code`
        : `This ticket is the host code of Table ${f.hostOf.tableNumber} and cannot be a guest ticket`,
      { reservation_id: f.hostOf.reservationId },
    );
  }
  const usable = f.ticket.status === 'valid' || (f.actor === 'staff' && f.ticket.status === 'checked_in');
  if (!usable) {
    return refuse('ticket_not_valid', `This ticket cannot be linked (status ${f.ticket.status})`, {
      ticket_status: f.ticket.status,
    });
  }
  if (f.activeLink) {
    const same = f.activeLink.reservationId === f.reservation.id;
    return refuse(
      'ticket_already_linked',
      same
        ? `This ticket is already on ${table}'s guest list`
        : "This ticket is already on another table's guest list; unlink it first",
      { reservation_id: f.activeLink.reservationId },
    );
  }
  const places = guestPlaces(f.reservation.tierCapacity);
  if (f.guestsLinked >= places) {
    if (f.actor === 'staff' && f.overrideCapacity) return { ok: true, overCapacity: true };
    return refuse('table_full', `${table} is full: ${f.guestsLinked} of ${places} guest places taken`, {
      capacity: f.reservation.tierCapacity,
      guest_places: places,
      guests_linked: f.guestsLinked,
    });
  }
  return { ok: true, overCapacity: false };
}

export interface UnlinkFacts {
  actor: GuestListActor;
  now: Date;
  event: EventWindow;
  reservationStatus: ReservationStatus;
}

/** Whether a guest may leave a list now; null when they may. */
export function unlinkRefusal(f: UnlinkFacts): GuestListRefusal | null {
  return listClosed(f.event, f.now, f.reservationStatus, f.actor, 'The guest list is closed');
}

/**
 * Whether a table's guest list is closed to this actor, in one order for linking and unlinking
 * alike: the event is over (cancelled, ended), then the reservation takes no guests, then the
 * event has started (closed to everyone but staff at the door).
 */
function listClosed(
  e: EventWindow,
  now: Date,
  reservationStatus: ReservationStatus,
  actor: GuestListActor,
  what: string,
): GuestListRefusal | null {
  const closed = eventClosed(e, now);
  if (closed) return closed;
  if (!TAKES_GUESTS.includes(reservationStatus)) {
    return {
      code: 'reservation_not_active',
      message: `${what}: its reservation is ${reservationStatus}`,
      details: { reservation_status: reservationStatus },
    };
  }
  if (actor !== 'staff' && hasStarted(e, now)) return locked(e).refusal;
  return null;
}

function eventClosed(e: EventWindow, now: Date): GuestListRefusal | null {
  if (e.status === 'cancelled') return { code: 'event_cancelled', message: 'This event was cancelled' };
  if (e.status === 'completed' || hasEnded(e, now)) return { code: 'event_ended', message: 'This event has ended' };
  return null;
}

function locked(e: EventWindow): { ok: false; refusal: GuestListRefusal } {
  return {
    ok: false,
    refusal: {
      code: 'guest_list_locked',
      message: 'The event has started: the guest list can only be changed by staff at the door',
      details: { starts_at: e.startsAt.toISOString() },
    },
  };
}
