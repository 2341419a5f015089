import { holderTokenFor } from '../../auth/capability.js';
import type { Tx } from '../../db/database.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { notifyTableChanged } from '../../db/repos/floor.repo.js';
import { findActiveLink, findHostReservation, markUnlinked } from '../../db/repos/guest-list.repo.js';
import { enqueueMail } from '../../db/repos/mails.repo.js';
import { findOrder } from '../../db/repos/orders.repo.js';
import { findReservation } from '../../db/repos/reservations.repo.js';
import { findTicket } from '../../db/repos/tickets.repo.js';
import { handTicketOver, insertTransfer, type TransferRow } from '../../db/repos/transfers.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { hasStarted, salesClosedReason } from '../../domain/event-rules.js';
import type { AppDeps } from '../deps.js';

/** How often one ticket may be passed on: each pass mails someone, so it is not a free loop. */
export const MAX_TRANSFERS_PER_TICKET = 5;

export interface TransferRequest {
  ticketId: string;
  /**
   * Whose hands the caller holds it in: null for the buyer (the order's token), else the holder
   * capability's hash. Checked again under the ticket's lock: of two transfers sent at once with
   * the same token, the second finds the ticket already in someone else's hands.
   */
  heldBy: string | null;
  toEmail: string;
  toName: string;
}

export const transferMailMessageId = (transferId: string) => `<ticket_transferred.${transferId}@velvet.mail>`;

/**
 * Sends one ticket to someone else, until the event starts. In one transaction, the ticket row
 * locked first (as a scan, a link or a rename would), then its table's reservation:
 *  1. refuse what may not move: a ticket no longer in the caller's hands (`heldBy`), the event over or started, a ticket not (or no longer) valid, the
 *     host's own ticket (the table's key), a ticket passed on MAX_TRANSFERS_PER_TICKET times;
 *  2. a linked guest's place at the table goes along only when the host allows it
 *     (`guests_may_transfer`); otherwise the link ends here, as an unlink would, and the ticket
 *     goes as plain GA;
 *  3. the ticket's code generation goes up by one: its new code signs it, so the door refuses
 *     every earlier code ("transferred"); the new holder's name, e-mail and capability replace
 *     the old (whoever held it before can no longer open it);
 *  4. the transfer is recorded for the order's history, and the new holder's mail is queued in
 *     the same transaction (it exists if and only if the transfer happened).
 * Who may ask (the buyer's order token, or the current holder's own) is checked by the caller first.
 */
export async function transferTicket(
  deps: Pick<AppDeps, 'database' | 'clock' | 'keys'>,
  req: TransferRequest,
): Promise<TransferRow> {
  return deps.database.transaction(async (tx) => {
    const ticket = await findTicket(tx, req.ticketId, { lock: true });
    const event = ticket && (await findEvent(tx, ticket.eventId));
    const order = ticket && (await findOrder(tx, ticket.orderId));
    if (!ticket || !event || !order) throw notFound('ticket');
    if (ticket.holderTokenHash !== req.heldBy)
      throw new DomainError('forbidden', 'This ticket was transferred: only its new holder can use it now');
    const now = deps.clock.now();
    const closed = salesClosedReason(event, now);
    if (closed === 'event_cancelled') throw new DomainError('event_cancelled', 'This event was cancelled');
    if (closed === 'event_ended') throw new DomainError('event_ended', 'This event has ended');
    if (hasStarted(event, now))
      throw new DomainError('event_started', 'The event has started: tickets can be transferred only before it starts');
    if (ticket.status !== 'valid') {
      throw new DomainError(
        'ticket_not_valid',
        ticket.status === 'pending' ? 'This ticket is not paid yet' : 'This ticket no longer admits anyone',
        { ticket_status: ticket.status },
      );
    }
    const hosted = await findHostReservation(tx, ticket.id);
    if (hosted) {
      throw new DomainError(
        'host_ticket',
        `This ticket is the key to table ${hosted.tableNumber}: the host's own ticket stays with the host`,
        {
          reservation_id: hosted.reservationId,
        },
      );
    }
    if (ticket.codeGeneration >= MAX_TRANSFERS_PER_TICKET) {
      throw new DomainError(
        'transfer_limit',
        `This ticket was already passed on ${MAX_TRANSFERS_PER_TICKET} times; ask the organiser to help`,
      );
    }

    const tableLink = await carryTableLink(tx, ticket.id, now);
    const generation = ticket.codeGeneration + 1;
    const toEmail = req.toEmail.toLowerCase();
    await handTicketOver(tx, ticket.id, {
      generation,
      qr: deps.keys.signer.sign(ticket.eventId, ticket.id, generation),
      holderName: req.toName,
      holderEmail: toEmail,
      holderTokenHash: holderTokenFor(deps.keys.manageKey, ticket.id, generation).hash,
    });
    const transfer = await insertTransfer(tx, {
      eventId: ticket.eventId,
      orderId: ticket.orderId,
      ticketId: ticket.id,
      generation,
      fromName: ticket.holderName,
      fromEmail: ticket.holderEmail ?? order.email.toLowerCase(),
      toName: req.toName,
      toEmail,
      tableLink,
      createdAt: now,
    });
    await enqueueMail(tx, {
      orderId: order.id,
      kind: 'ticket_transferred',
      recipient: toEmail,
      messageId: transferMailMessageId(transfer.id),
      transferId: transfer.id,
    });
    return transfer;
  });
}

/** Step 2: what becomes of the ticket's place at a table (null: it had none). Ticket locked; reservation locked next. */
async function carryTableLink(tx: Tx, ticketId: string, now: Date): Promise<TransferRow['tableLink']> {
  const link = await findActiveLink(tx, ticketId);
  if (!link) return null;
  const reservation = await findReservation(tx, link.reservationId, { lock: true });
  if (!reservation) throw notFound('reservation');
  if (reservation.guestsMayTransfer) return 'kept';
  await markUnlinked(tx, link.id, now, 'guest');
  await notifyTableChanged(tx, reservation.eventId, reservation.eventTableId);
  return 'dropped';
}
