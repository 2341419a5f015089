import { findEvent } from '../../db/repos/events.repo.js';
import { findTicket, setTicketHolderName, type TicketRow } from '../../db/repos/tickets.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { hasStarted, salesClosedReason } from '../../domain/event-rules.js';
import type { AppDeps } from '../deps.js';

/**
 * The buyer names who holds each ticket (the door searches by that name when a phone dies), until
 * the event starts: from then on the door's list is what staff work from, and it stays put. The
 * ticket row is locked (as a scan or a link would) and its `updated_at` moves, so scanners that
 * sync with `?since=` receive the new name.
 */
export async function renameTicket(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  ticketId: string,
  holderName: string,
  /** Whose hands the caller holds it in (transfer-ticket.service.ts `heldBy`), checked under the lock. */
  heldBy: string | null = null,
): Promise<TicketRow> {
  return deps.database.transaction(async (tx) => {
    const ticket = await findTicket(tx, ticketId, { lock: true });
    if (!ticket) throw notFound('ticket');
    if (ticket.holderTokenHash !== heldBy)
      throw new DomainError('forbidden', 'This ticket was transferred: only its new holder can use it now');
    const event = await findEvent(tx, ticket.eventId);
    if (!event) throw notFound('ticket');
    const now = deps.clock.now();
    const closed = salesClosedReason(event, now);
    if (closed === 'event_cancelled') throw new DomainError('event_cancelled', 'This event was cancelled');
    if (closed === 'event_ended') throw new DomainError('event_ended', 'This event has ended');
    if (hasStarted(event, now))
      throw new DomainError('event_started', 'The event has started: names on tickets can no longer change');
    if (ticket.status === 'void') throw new DomainError('ticket_not_valid', 'This ticket no longer admits anyone');
    return setTicketHolderName(tx, ticket.id, holderName);
  });
}
