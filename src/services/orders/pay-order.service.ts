import type { Tx } from '../../db/database.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { notifyTableChanged } from '../../db/repos/floor.repo.js';
import { findOrder, updateOrder, type OrderRow } from '../../db/repos/orders.repo.js';
import { findReservationByOrder, updateReservation } from '../../db/repos/reservations.repo.js';
import { listOrderTickets, validateTickets } from '../../db/repos/tickets.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { hasEnded } from '../../domain/event-rules.js';
import { orderMachine, reservationMachine, step } from '../../domain/state-machine.js';
import type { AppDeps } from '../deps.js';
import { enqueueOrderMail } from '../mail/enqueue.js';
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
 */
export async function applyPayment(
  tx: Tx,
  deps: Pick<AppDeps, 'clock' | 'keys'>,
  orderId: string,
): Promise<PaymentOutcome> {
  // Money for a pending order of an event that has ended (the completion sweep has not run yet)
  // buys nothing: the hold is released here, as completion would, and the payment is late. That
  // writes the event row, so it is locked first: event → order, the order every other writer uses.
  const peek = await findOrder(tx, orderId);
  if (!peek) throw notFound('order');
  const event = peek.status === 'pending' ? await findEvent(tx, peek.eventId) : null;
  const ended = event !== null && hasEnded(event, deps.clock.now());
  if (ended) await findEvent(tx, peek.eventId, { lock: true });

  const order = await findOrder(tx, orderId, { lock: true });
  if (!order) throw notFound('order');
  if (order.status === 'paid' || order.status === 'refunded') return { outcome: 'already_paid', order };
  if (ended && order.status === 'pending') {
    await releaseHold(tx, order);
    return { outcome: 'hold_expired', order };
  }
  const next = step(orderMachine, order.status, 'pay');
  if (!next.ok) return { outcome: 'hold_expired', order };

  const paid = await updateOrder(tx, order.id, { status: next.to, paidAt: deps.clock.now() });
  const tickets = await listOrderTickets(tx, order.id, { lock: true });
  await validateTickets(tx, tickets.map((t) => ({ id: t.id, qr: deps.keys.signer.sign(t.eventId, t.id) })));

  const reservation = await findReservationByOrder(tx, order.id, { lock: true });
  if (reservation) {
    const r = step(reservationMachine, reservation.status, 'pay');
    if (r.ok) await updateReservation(tx, reservation.id, { status: r.to });
    await notifyTableChanged(tx, order.eventId, reservation.eventTableId);
  }
  // The buyer's tickets and manage link, mailed once this commits (never lost with the tab).
  await enqueueOrderMail(tx, paid, 'order_paid');
  return { outcome: 'paid', order: paid };
}

/** `POST /orders/:id/pay-local`: the test-mode provider's stand-in for a payment webhook. */
export async function payLocal(deps: Pick<AppDeps, 'database' | 'clock' | 'keys' | 'payments'>, orderId: string) {
  if (deps.payments.name !== 'local') throw notFound('order');
  return deps.database.transaction(async (tx) => {
    const result = await applyPayment(tx, deps, orderId);
    if (result.outcome === 'hold_expired') {
      // Say why the hold is gone: the owner cancelled the event, the night is over, or it lapsed.
      const event = await findEvent(tx, result.order.eventId);
      if (event?.status === 'cancelled') throw new DomainError('event_cancelled', 'This event was cancelled; nothing was charged');
      if (event && (event.status === 'completed' || hasEnded(event, deps.clock.now()))) throw new DomainError('event_ended', 'This event has ended; nothing was charged');
      throw new DomainError('order_expired', 'The hold on this order expired before payment; place a new order');
    }
    return result.order;
  });
}
