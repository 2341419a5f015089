import { salesStateToken } from '../../auth/confirmation-token.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { eventSalesSummary } from '../../db/repos/orders.repo.js';
import { ACTIVE_RESERVATION, listEventReservations } from '../../db/repos/reservations.repo.js';
import { countCheckedIn } from '../../db/repos/tickets.repo.js';
import { cancelRefusal } from '../../domain/cancellation.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';

export interface CancellationPreview {
  event_id: string;
  refund_total_cents: number;
  currency: string;
  /** Paid orders the cancellation refunds in full (not those already being refunded on their own). */
  orders: number;
  /** Tickets of those orders, all voided. */
  tickets: number;
  /** Live reservations (held or sold tables), all cancelled. */
  reservations: number;
  /** Unpaid holds, released. */
  holds: number;
  /** Approves exactly this state of sales; `POST .../cancel` refuses it once sales change. */
  confirmation_token: string;
}

/** `GET /events/:id/cancellation`: what cancelling now would refund, and the token to approve it. */
export async function previewCancellation(
  deps: Pick<AppDeps, 'database' | 'clock' | 'keys'>,
  eventId: string,
): Promise<CancellationPreview> {
  const now = deps.clock.now();
  // One transaction: on PostgreSQL it is still one snapshot per statement, but the token is
  // computed from the very rows counted, so a change in between can only make the token stale.
  return deps.database.transaction(async (tx) => {
    const event = await findEvent(tx, eventId);
    if (!event) throw notFound('event');
    const refusal = cancelRefusal(event, now, (await countCheckedIn(tx, eventId)) > 0);
    if (refusal) throw cancelRefused(refusal);
    const sales = await eventSalesSummary(tx, eventId);
    const paid = sales.filter((o) => o.status === 'paid');
    // What the cancellation itself pays back (cancel-event.service.ts refunds the same): an order
    // refunded on its own before, its refund perhaps still on its way, is not counted again.
    const owed = paid.filter((o) => !o.refunding && o.amount_cents > o.refunded_cents);
    const reservations = await listEventReservations(tx, eventId, [...ACTIVE_RESERVATION]);
    return {
      event_id: event.id,
      refund_total_cents: owed.reduce((sum, o) => sum + o.amount_cents - o.refunded_cents, 0),
      currency: event.currency,
      orders: owed.length,
      tickets: paid.reduce((sum, o) => sum + o.tickets, 0),
      reservations: reservations.length,
      holds: sales.length - paid.length,
      confirmation_token: salesStateToken(deps.keys.sessionSecret, event.id, sales),
    };
  });
}

export function cancelRefused(refusal: 'event_started' | 'already_cancelled'): DomainError {
  return refusal === 'event_started'
    ? new DomainError('event_started', 'The event has started: it can no longer be cancelled (end it instead)')
    : new DomainError('event_cancelled', 'The event is already cancelled; see its refunds');
}
