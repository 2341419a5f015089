import { pgConstraint, type Tx } from '../../db/database.js';
import { findEvent, findTableWithTier } from '../../db/repos/events.repo.js';
import { notifyTableChanged } from '../../db/repos/floor.repo.js';
import {
  countActiveGuests,
  findActiveLink,
  findHostReservation,
  insertGuestLink,
  ONE_ACTIVE_LINK_PER_TICKET,
} from '../../db/repos/guest-list.repo.js';
import { findReservation } from '../../db/repos/reservations.repo.js';
import { findTicket, touchTicket } from '../../db/repos/tickets.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { decideLink, guestPlaces } from '../../domain/guest-list.js';
import type { AppDeps } from '../deps.js';

export interface LinkRequest {
  ticketId: string;
  reservationId: string;
  actor: 'guest' | 'staff';
  /** The staff or owner account linking at the door; null for a guest's own link. */
  userId: string | null;
  overrideCapacity: boolean;
}

/** What a successful link answers (API: `{reservation_id, table_number, tier}`, plus more). */
export interface LinkView {
  reservation_id: string;
  table_number: number;
  tier: string;
  ticket_id: string;
  linked_at: string;
  override_capacity: boolean;
  guests_linked: number;
  guest_places: number;
}

/**
 * Puts a ticket on a reservation's guest list. The algorithm:
 *   1. lock the ticket row (every link/unlink of a ticket goes through it; a scan's decision row is
 *      the ticket too, ARCHITECTURE rule 3, so the lock order is ticket → reservation);
 *   2. lock the reservation row: concurrent links to one table queue here;
 *   3. only now count the table's active links and read the ticket's current link, so the count
 *      includes every link committed by whoever held the lock before us (READ COMMITTED takes a
 *      fresh snapshot per statement);
 *   4. ask the pure rules (domain/guest-list.ts), insert the link with the injected clock's time
 *      (business time: when it was linked, compared with the event's start), touch the ticket row
 *      (database time: the scanner cache's `?since=` cursor compares only that) and tell the floor plan.
 * A refusal throws before any write, so the rolled-back transaction has changed nothing.
 */
export async function linkTicket(tx: Tx, now: Date, req: LinkRequest): Promise<LinkView> {
  const ticket = await findTicket(tx, req.ticketId, { lock: true });
  if (!ticket) throw notFound('ticket');
  const reservation = await findReservation(tx, req.reservationId, { lock: true });
  if (!reservation) throw notFound('reservation');
  const event = await findEvent(tx, reservation.eventId);
  const table = await findTableWithTier(tx, reservation.eventId, reservation.eventTableId);
  if (!event || !table) throw notFound('reservation');

  const guestsLinked = await countActiveGuests(tx, reservation.id);
  const activeLink = await findActiveLink(tx, ticket.id);
  const decision = decideLink({
    actor: req.actor,
    now,
    event,
    reservation: {
      id: reservation.id,
      eventId: reservation.eventId,
      status: reservation.status,
      tableNumber: table.table.number,
      tierCapacity: table.tier.capacity,
    },
    ticket: { id: ticket.id, eventId: ticket.eventId, status: ticket.status },
    hostOf: await findHostReservation(tx, ticket.id),
    activeLink: activeLink && { reservationId: activeLink.reservationId },
    guestsLinked,
    overrideCapacity: req.overrideCapacity,
  });
  if (!decision.ok) throw new DomainError(decision.refusal.code, decision.refusal.message, decision.refusal.details);

  const link = await insertGuestLink(tx, {
    eventId: reservation.eventId,
    ticketId: ticket.id,
    reservationId: reservation.id,
    linkedByUserId: req.userId,
    overrideCapacity: decision.overCapacity,
    createdAt: now,
  });
  await touchTicket(tx, ticket.id);
  await notifyTableChanged(tx, reservation.eventId, reservation.eventTableId);
  return {
    reservation_id: reservation.id,
    table_number: table.table.number,
    tier: table.tier.name,
    ticket_id: ticket.id,
    linked_at: link.createdAt.toISOString(),
    override_capacity: link.overrideCapacity,
    guests_linked: guestsLinked + 1,
    guest_places: guestPlaces(table.tier.capacity),
  };
}

/**
 * Runs a link transaction. The ticket lock makes a second active link unreachable; should that
 * ever be lost, the unique partial index refuses it and the caller still gets the domain code.
 */
export async function runLink(deps: Pick<AppDeps, 'database'>, fn: (tx: Tx) => Promise<LinkView>): Promise<LinkView> {
  try {
    return await deps.database.transaction(fn);
  } catch (err) {
    if (pgConstraint(err) === ONE_ACTIVE_LINK_PER_TICKET) {
      throw new DomainError('ticket_already_linked', "This ticket is already on a table's guest list");
    }
    throw err;
  }
}
