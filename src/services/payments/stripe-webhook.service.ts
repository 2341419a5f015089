import type Stripe from 'stripe';
import type { Executor } from '../../db/database.js';
import type { FlightTx } from '../../db/flights.js';
import { findOrder, findOrderByPaymentId, updateOrder, type OrderRow } from '../../db/repos/orders.repo.js';
import { insertRefund, notifyRefundsDue } from '../../db/repos/refunds.repo.js';
import { recordWebhookEventCall } from '../../db/repos/webhooks.repo.js';
import type { AppDeps } from '../deps.js';
import { applyPayment } from '../orders/pay-order.service.js';
import { refundIdempotencyKey } from '../refunds/refund-keys.js';

export type WebhookOutcome =
  | { outcome: 'duplicate' }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'paid' | 'already_paid'; orderId: string }
  /** The money came after the hold was released: it goes back through the refund outbox. */
  | { outcome: 'late_payment_refund'; orderId: string };

/**
 * Applies one verified Stripe event. The event id is recorded in the same transaction that applies
 * it, so each event takes effect exactly once however often (or however late) Stripe delivers it.
 * Order of delivery does not matter: only `payment_intent.succeeded` changes anything, and it moves
 * an order forward only (a second or stale event finds it already paid).
 */
export async function handleStripeEvent(
  deps: Pick<AppDeps, 'database' | 'clock' | 'keys' | 'metrics'>,
  event: Stripe.Event,
): Promise<WebhookOutcome> {
  const result = await deps.database.flights(async (tx): Promise<WebhookOutcome> => {
    const [recorded] = await tx.send(recordWebhookEventCall(event.id, event.type, deps.clock.now()));
    if (!recorded.length) return { outcome: 'duplicate' };
    if (event.type !== 'payment_intent.succeeded')
      return { outcome: 'ignored', reason: `${event.type} needs no action` };
    return paymentSucceeded(tx, deps, event.data.object);
  });
  if (result.outcome === 'paid') deps.metrics.orderPaid();
  return result;
}

async function paymentSucceeded(
  tx: FlightTx,
  deps: Pick<AppDeps, 'clock' | 'keys'>,
  intent: Stripe.PaymentIntent,
): Promise<WebhookOutcome> {
  const order = await orderOf(tx.db, intent);
  if (!order) return { outcome: 'ignored', reason: `no order for payment intent ${intent.id}` };
  if (order.providerPaymentId !== null && order.providerPaymentId !== intent.id) {
    return { outcome: 'ignored', reason: `payment intent ${intent.id} is not the one order ${order.id} is paid with` };
  }
  if (
    intent.currency.toUpperCase() !== order.currency ||
    (intent.amount_received || intent.amount) < order.amountCents
  ) {
    return { outcome: 'ignored', reason: `payment intent ${intent.id} does not cover order ${order.id}` };
  }
  // applyPayment first: it takes its locks in the global order (event, then order).
  const result = await applyPayment(tx, deps, order.id);
  // The webhook can beat placeOrder's own write of the intent id (the buyer paid within that gap).
  if (order.providerPaymentId === null) await updateOrder(tx.db, order.id, { providerPaymentId: intent.id });
  if (result.outcome !== 'hold_expired') return { outcome: result.outcome, orderId: order.id };

  const refund = await insertRefund(tx.db, {
    eventId: order.eventId,
    orderId: order.id,
    amountCents: order.amountCents,
    currency: order.currency,
    reason: 'late_payment',
    idempotencyKey: refundIdempotencyKey(order.id),
    nextAttemptAt: deps.clock.now(),
  });
  // The buyer's order says why: it stays `expired` until the money is back, then `refunded`.
  await updateOrder(tx.db, order.id, { refundReason: 'late_payment' });
  if (refund) await notifyRefundsDue(tx.db);
  return { outcome: 'late_payment_refund', orderId: order.id };
}

/** Our order for an intent: by the order id we put in its metadata, else by the stored intent id. */
async function orderOf(tx: Executor, intent: Stripe.PaymentIntent): Promise<OrderRow | null> {
  const orderId = intent.metadata?.order_id;
  if (orderId && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orderId)) {
    const order = await findOrder(tx, orderId);
    if (order) return order;
  }
  return findOrderByPaymentId(tx, intent.id);
}
