import { checkConfirmation } from '../../auth/confirmation-token.js';
import type { Tx } from '../../db/database.js';
import { findEvent, listTables, updateEvent } from '../../db/repos/events.repo.js';
import { notifyEventChanged, notifyTableChanged } from '../../db/repos/floor.repo.js';
import { listEventOrders, type OrderRow } from '../../db/repos/orders.repo.js';
import { listEventRefunds, notifyRefundsDue, refundEventOrdersInFull } from '../../db/repos/refunds.repo.js';
import { listEventReservations, updateReservation } from '../../db/repos/reservations.repo.js';
import { countCheckedIn, voidEventTickets } from '../../db/repos/tickets.repo.js';
import { cancelRefusal } from '../../domain/cancellation.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { eventMachine, orderMachine, reservationMachine, step } from '../../domain/state-machine.js';
import type { AppDeps } from '../deps.js';
import { releaseHold } from '../orders/hold.js';
import { refundIdempotencyKey } from '../refunds/refund-keys.js';
import { cancelRefused } from './cancellation-preview.service.js';

export interface CancelOutcome {
  status: 'cancelled';
  event_id: string;
  cancelled_at: string;
  refunds: { total: number; pending: number; succeeded: number; failed: number; total_cents: number };
}

/**
 * `POST /events/:id/cancel`: the owner's approved cancellation, all in ONE transaction (see
 * cancellation.md): either every step below commits or none does, whatever crashes when.
 *
 * Lock order event → orders → tickets → reservations, the order every other writer follows. Locking the event first also stops
 * sales: a concurrent placeOrder must update the event row to take GA places, so it waits, then
 * finds the event cancelled. A payment landing meanwhile locks its order first; we then either see
 * it paid (token stale: the owner must look again) or release it first (the payment becomes a
 * late-payment refund).
 */
export async function cancelEvent(
  deps: Pick<AppDeps, 'database' | 'clock' | 'keys'>,
  eventId: string,
  confirmationToken: string,
): Promise<CancelOutcome> {
  const now = deps.clock.now();
  return deps.database.transaction(async (tx) => {
    const event = await findEvent(tx, eventId, { lock: true });
    if (!event) throw notFound('event');
    // Already cancelled: answer as the first time did; nothing is written twice.
    if (event.status === 'cancelled') return outcome(tx, eventId, event.cancelledAt ?? now);
    const refusal = cancelRefusal(event, now, (await countCheckedIn(tx, eventId)) > 0);
    if (refusal) throw cancelRefused(refusal);

    const live = await listEventOrders(tx, eventId, ['pending', 'paid'], { lock: true });
    const confirmation = checkConfirmation(deps.keys.sessionSecret, eventId, live, confirmationToken);
    if (confirmation === 'invalid') {
      throw new DomainError(
        'invalid_confirmation',
        'This confirmation token was not issued for this event; open the cancellation preview and confirm from there',
      );
    }
    if (confirmation === 'stale') {
      throw new DomainError(
        'confirmation_stale',
        'Sales changed since the cancellation preview; review the new refund total and confirm again',
      );
    }

    for (const order of live) if (order.status === 'pending') await releaseHold(tx, order);
    // Tickets before reservations: scans and guest links lock a ticket, then its reservation.
    await voidEventTickets(tx, eventId);
    // A scan racing us could only have admitted someone if the door opened early: then it is mid-event.
    if ((await countCheckedIn(tx, eventId)) > 0) throw cancelRefused('event_started');
    for (const r of await listEventReservations(tx, eventId, ['pending', 'confirmed'], { lock: true })) {
      const next = step(reservationMachine, r.status, 'cancel');
      if (next.ok) await updateReservation(tx, r.id, { status: next.to });
    }

    await refundInFull(
      tx,
      eventId,
      live.filter((o) => o.status === 'paid'),
      now,
    );
    // Every table, in one go: each open floor plan shows the room empty as soon as this commits.
    for (const table of await listTables(tx, eventId)) await notifyTableChanged(tx, eventId, table.id);

    const next = step(eventMachine, event.status, 'cancel');
    if (!next.ok) throw cancelRefused('event_started');
    await updateEvent(tx, eventId, { status: next.to, cancelledAt: now });
    await notifyEventChanged(tx, eventId, next.to);
    await notifyRefundsDue(tx);
    return outcome(tx, eventId, now);
  });
}

/** The outbox rows that pay every paid order back; the refund worker does the paying, after commit. */
async function refundInFull(tx: Tx, eventId: string, paid: OrderRow[], now: Date): Promise<void> {
  const refunded = step(orderMachine, 'paid', 'refund');
  if (!refunded.ok) throw new Error('a paid order can always be refunded');
  const owed = paid.filter((o) => o.amountCents > o.refundedCents);
  await refundEventOrdersInFull(
    tx,
    eventId,
    owed.map((o) => ({
      orderId: o.id,
      amountCents: o.amountCents - o.refundedCents,
      currency: o.currency,
      idempotencyKey: refundIdempotencyKey(o.id),
    })),
    // Nothing to pay back (a free ticket): the order is settled here and now.
    { orderIds: paid.filter((o) => o.amountCents === o.refundedCents).map((o) => o.id), status: refunded.to },
    now,
  );
}

async function outcome(tx: Tx, eventId: string, cancelledAt: Date): Promise<CancelOutcome> {
  const refunds = (await listEventRefunds(tx, eventId)).filter((r) => r.reason === 'event_cancelled');
  const count = (s: string) => refunds.filter((r) => r.status === s).length;
  return {
    status: 'cancelled',
    event_id: eventId,
    cancelled_at: cancelledAt.toISOString(),
    refunds: {
      total: refunds.length,
      pending: count('pending'),
      succeeded: count('succeeded'),
      failed: count('failed'),
      total_cents: refunds.reduce((sum, r) => sum + r.amountCents, 0),
    },
  };
}
