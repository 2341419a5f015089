import { releaseGaCapacity } from '../../db/repos/events.repo.js';
import { notifyTableChanged } from '../../db/repos/floor.repo.js';
import { findOrder, updateOrder } from '../../db/repos/orders.repo.js';
import { findRefundByOrder, insertRefund, notifyRefundsDue } from '../../db/repos/refunds.repo.js';
import { findReservationByOrder, updateReservation } from '../../db/repos/reservations.repo.js';
import { listOrderTickets, setTicketsStatus } from '../../db/repos/tickets.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { orderMachine, reservationMachine, step } from '../../domain/state-machine.js';
import type { AppDeps } from '../deps.js';
import { refundIdempotencyKey } from '../refunds/refund-keys.js';

export interface OrderRefundOutcome {
  order_id: string;
  amount_cents: number;
  currency: string;
  refund_status: 'pending' | 'succeeded' | 'failed';
  tickets_voided: number;
  table_released: boolean;
}

/**
 * `POST /orders/:id/refund {amount_cents}`: the owner pays one order back in full, through the
 * same outbox as a cancellation (the worker pays it, the buyer is mailed when it is made). The
 * owner confirms by sending the amount they were shown: if the order changed since, nothing
 * happens. In one transaction, locking order → tickets → reservation (the order scans and
 * cancellations use): tickets not yet used stop admitting anyone (one already scanned in stays
 * checked in: its holder is inside) and their GA places go back on sale, and an unused table is
 * released to be sold again. Asking
 * twice answers the refund already on its way; nothing is paid twice (one refund per order).
 */
export async function refundOrder(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  orderId: string,
  confirmCents: number,
): Promise<OrderRefundOutcome> {
  const now = deps.clock.now();
  return deps.database.transaction(async (tx) => {
    const order = await findOrder(tx, orderId, { lock: true });
    if (!order) throw notFound('order');
    const existing = await findRefundByOrder(tx, order.id);
    if (existing || order.status === 'refunded') {
      return {
        order_id: order.id,
        amount_cents: existing?.amountCents ?? order.refundedCents,
        currency: order.currency,
        refund_status: existing?.status ?? 'succeeded',
        tickets_voided: 0,
        table_released: false,
      };
    }
    if (order.status !== 'paid')
      throw new DomainError('order_not_paid', `This order is ${order.status}: there is no payment to refund`);
    const amount = order.amountCents - order.refundedCents;
    if (confirmCents !== amount) {
      throw new DomainError(
        'confirmation_stale',
        `The order changed: a refund now would be ${amount} cents; review it and confirm again`,
        { amount_cents: amount },
      );
    }

    const tickets = await listOrderTickets(tx, order.id, { lock: true });
    const voided = await setTicketsStatus(
      tx,
      tickets.map((t) => t.id),
      ['valid'],
      'void',
    );
    // Their places are for sale again (a waitlist is offered them first): the event row is locked
    // last, after the order's rows, as a lapsing hold's release does.
    if (voided.length) await releaseGaCapacity(tx, order.eventId, voided.length);
    const reservation = await findReservationByOrder(tx, order.id, { lock: true });
    let released = false;
    if (reservation) {
      const next = step(reservationMachine, reservation.status, 'cancel');
      if (next.ok) {
        await updateReservation(tx, reservation.id, { status: next.to });
        released = true;
      }
      await notifyTableChanged(tx, order.eventId, reservation.eventTableId);
    }

    if (amount === 0) {
      // A free order has nothing to pay back: settled here and now.
      const next = step(orderMachine, order.status, 'refund');
      await updateOrder(tx, order.id, { refundReason: 'owner_refund', ...(next.ok ? { status: next.to } : {}) });
      return {
        order_id: order.id,
        amount_cents: 0,
        currency: order.currency,
        refund_status: 'succeeded',
        tickets_voided: voided.length,
        table_released: released,
      };
    }
    await insertRefund(tx, {
      eventId: order.eventId,
      orderId: order.id,
      amountCents: amount,
      currency: order.currency,
      reason: 'owner_refund',
      idempotencyKey: refundIdempotencyKey(order.id),
      nextAttemptAt: now,
    });
    await updateOrder(tx, order.id, { refundReason: 'owner_refund' });
    await notifyRefundsDue(tx);
    return {
      order_id: order.id,
      amount_cents: amount,
      currency: order.currency,
      refund_status: 'pending',
      tickets_voided: voided.length,
      table_released: released,
    };
  });
}
