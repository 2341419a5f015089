import type { FlightTx } from '../../db/flights.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { tableChangedCall } from '../../db/repos/floor.repo.js';
import {
  applyPaymentCall,
  lockAndReadForPayment,
  reservationStatusCall,
  toOrder,
  toPaymentRead,
  type PaymentRead,
} from '../../db/repos/order-flight.repo.js';
import type { OrderRow } from '../../db/repos/orders.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { hasEnded } from '../../domain/event-rules.js';
import { orderMachine, reservationMachine, step } from '../../domain/state-machine.js';
import type { AppDeps } from '../deps.js';
import { orderMailMessageId } from '../mail/enqueue.js';
import { releaseHold } from './hold.js';

export type PaymentOutcome =
  | { outcome: 'paid'; order: OrderRow }
  | { outcome: 'already_paid'; order: OrderRow }
  /** The hold lapsed before the money came: the caller decides what to do with the money. */
  | { outcome: 'hold_expired'; order: OrderRow };

/**
 * Applies a successful payment to its order: tickets become valid and get their signed codes, the
 * table becomes reserved. An order still `pending` keeps its stock even if `expires_at` has passed
 * (the sweeper has not released it), so a late-but-not-too-late payment is honoured, but not once
 * the event itself has ended: that payment is late whatever the sweeper did. Idempotent.
 *
 * Two flights on `tx` (the caller commits, or passes `commit` when this is all it does):
 * 1. lock the event (only when the order is pending and the event has ended: releasing the hold
 *    then writes the event row, and every writer locks event before order), lock the order, lock
 *    its reservation, then read them (a statement after the locks: it sees what they protect as
 *    committed before they were granted);
 * 2. the effects: order, tickets and outbox mail in one statement; the reservation and the floor
 *    plan's notification for a table order.
 * The rare branch (a hold released at payment) uses the repositories on the same transaction.
 */
export async function applyPayment(
  tx: FlightTx,
  deps: Pick<AppDeps, 'clock' | 'keys'>,
  orderId: string,
  opts: { commit?: boolean } = {},
): Promise<PaymentOutcome> {
  const now = deps.clock.now();
  const [, , , rows] = await tx.send(...lockAndReadForPayment(orderId, now));
  const read = toPaymentRead(rows);
  if (!read) throw notFound('order');
  const { order, reservation } = read;
  if (order.status === 'paid' || order.status === 'refunded') return { outcome: 'already_paid', order };
  if (order.status === 'pending' && hasEnded({ endsAt: read.eventEndsAt }, now)) {
    await releaseHold(tx.db, order);
    return { outcome: 'hold_expired', order };
  }
  const next = step(orderMachine, order.status, 'pay');
  if (!next.ok) return { outcome: 'hold_expired', order };

  const effects = [
    applyPaymentCall({
      orderId: order.id,
      status: next.to,
      paidAt: now,
      codes: read.ticketIds.map((id) => ({ id, qr: deps.keys.signer.sign(order.eventId, id) })),
      // The buyer's tickets and manage link, mailed once this commits (never lost with the tab).
      mail: { kind: 'order_paid', messageId: orderMailMessageId('order_paid', order.id) },
    }),
  ] as const;
  const table = reservation ? reservationEffects(order.eventId, reservation) : [];
  const [paidRows] = opts.commit ? await tx.commit(...effects, ...table) : await tx.send(...effects, ...table);
  return { outcome: 'paid', order: toOrder(paidRows)! };
}

function reservationEffects(eventId: string, reservation: NonNullable<PaymentRead['reservation']>) {
  const r = step(reservationMachine, reservation.status, 'pay');
  return [
    ...(r.ok ? [reservationStatusCall(reservation.id, r.to)] : []),
    tableChangedCall(eventId, reservation.eventTableId),
  ];
}

/** `POST /orders/:id/pay-local`: the test-mode provider's stand-in for a payment webhook. */
export async function payLocal(
  deps: Pick<AppDeps, 'database' | 'clock' | 'keys' | 'payments' | 'metrics'>,
  orderId: string,
) {
  if (deps.payments.name !== 'local') throw notFound('order');
  // After the route's access check: a later trip of the request.
  const result = await deps.database.underway.flights(async (tx) => {
    const result = await applyPayment(tx, deps, orderId, { commit: true });
    if (result.outcome !== 'hold_expired') return result;
    // Refused: thrown in the transaction (not committed yet on this branch), so a hold released
    // above is not, and the request changes nothing. Say why the hold is gone: the owner cancelled
    // the event, the night is over, or it lapsed.
    const event = await findEvent(tx.db, result.order.eventId);
    if (event?.status === 'cancelled')
      throw new DomainError('event_cancelled', 'This event was cancelled; nothing was charged');
    if (event && (event.status === 'completed' || hasEnded(event, deps.clock.now())))
      throw new DomainError('event_ended', 'This event has ended; nothing was charged');
    throw new DomainError('order_expired', 'The hold on this order expired before payment; place a new order');
  });
  if (result.outcome === 'paid') deps.metrics.orderPaid();
  return result.order;
}
