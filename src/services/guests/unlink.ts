import type { Tx } from '../../db/database.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { notifyTableChanged } from '../../db/repos/floor.repo.js';
import { findActiveLink, markUnlinked } from '../../db/repos/guest-list.repo.js';
import { findReservation } from '../../db/repos/reservations.repo.js';
import { findTicket, touchTicket } from '../../db/repos/tickets.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { unlinkRefusal } from '../../domain/guest-list.js';

export interface UnlinkRequest {
  ticketId: string;
  actor: 'guest' | 'purchaser';
  /** When set, the ticket must be on this reservation's list (the purchaser's route). */
  reservationId?: string;
}

export interface UnlinkView {
  ticket_id: string;
  reservation_id: string;
  linked_reservation_id: null;
  unlinked_at: string;
  unlinked_by: 'guest' | 'purchaser';
}

/**
 * Takes a ticket off its table's guest list: it is plain GA again (no table, one entry). Same lock
 * order as linking (ticket, then reservation). The link row is kept, stamped with when (injected
 * clock) and by whom; the ticket row is touched (database time) so the scanner cache's `?since=`
 * sends it again.
 */
export async function unlinkTicket(tx: Tx, now: Date, req: UnlinkRequest): Promise<UnlinkView> {
  const ticket = await findTicket(tx, req.ticketId, { lock: true });
  if (!ticket) throw notFound('ticket');
  const link = await findActiveLink(tx, ticket.id);
  if (!link || (req.reservationId !== undefined && link.reservationId !== req.reservationId)) {
    throw new DomainError(
      'ticket_not_linked',
      req.reservationId
        ? "This ticket is not on this table's guest list"
        : "This ticket is not on any table's guest list",
    );
  }
  const reservation = await findReservation(tx, link.reservationId, { lock: true });
  const event = reservation && (await findEvent(tx, reservation.eventId));
  if (!reservation || !event) throw notFound('reservation');

  const refusal = unlinkRefusal({ actor: req.actor, now, event, reservationStatus: reservation.status });
  if (refusal) throw new DomainError(refusal.code, refusal.message, refusal.details);

  await markUnlinked(tx, link.id, now, req.actor);
  await touchTicket(tx, ticket.id);
  await notifyTableChanged(tx, reservation.eventId, reservation.eventTableId);
  return {
    ticket_id: ticket.id,
    reservation_id: reservation.id,
    linked_reservation_id: null,
    unlinked_at: now.toISOString(),
    unlinked_by: req.actor,
  };
}
