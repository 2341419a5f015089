import type { TicketStatus } from '../../domain/state-machine.js';
import { orderViewCall, toOrderViewRead } from '../../db/repos/order-view.repo.js';
import type { OrderRow } from '../../db/repos/orders.repo.js';
import type { TransferRow } from '../../db/repos/transfers.repo.js';
import { notFound } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { loadReservationView, type ReservationView } from '../reservations/reservation-view.js';

export interface OrderView {
  order_id: string;
  event_id: string;
  status: OrderRow['status'];
  amount_cents: number;
  refunded_cents: number;
  currency: string;
  expires_at: string;
  paid_at: string | null;
  /** When the buyer confirmed the event's minimum age (null: it has none, or bought before it was set). */
  age_confirmed_at: string | null;
  refund_reason: OrderRow['refundReason'];
  payment: PaymentView;
  tickets: Array<{
    id: string;
    status: TicketStatus;
    qr: string | null;
    holder_name: string;
    linked_reservation_id: string | null;
    is_host: boolean;
    /** Sent to someone else: the code and the ticket's use are theirs now. */
    transferred: boolean;
  }>;
  reservation?: ReservationView;
  /** Present once a refund is on its way (event cancelled, or a payment that came too late). */
  refund?: { status: string; amount_cents: number; reason: string; provider_refund_id?: string };
}

export interface TransferView {
  ticket_id: string;
  generation: number;
  from_name: string;
  from_email: string;
  to_name: string;
  to_email: string;
  table_link: 'kept' | 'dropped' | null;
  transferred_at: string;
}

export const toTransferView = (t: TransferRow): TransferView => ({
  ticket_id: t.ticketId,
  generation: t.generation,
  from_name: t.fromName,
  from_email: t.fromEmail,
  to_name: t.toName,
  to_email: t.toEmail,
  table_link: t.tableLink,
  transferred_at: t.createdAt.toISOString(),
});

export type PaymentView =
  | { provider: 'local'; test_mode: true; pay_url: string }
  | { provider: 'stripe'; payment_intent_id: string | null; client_secret: string | null };

export function paymentView(order: OrderRow): PaymentView {
  return order.paymentProvider === 'local'
    ? { provider: 'local', test_mode: true, pay_url: `/api/v1/orders/${order.id}/pay-local` }
    : {
        provider: 'stripe',
        payment_intent_id: order.providerPaymentId,
        // Only a live hold can be paid: once it lapsed, paying would just be refunded (fees lost).
        client_secret: order.status === 'pending' ? order.providerClientSecret : null,
      };
}

/**
 * The buyer's view of an order, in one read (and one more for a table). The caller has checked the
 * manage token, or read the order: this is a later trip of its request (Database.underway).
 */
export async function getOrderView(deps: Pick<AppDeps, 'database' | 'config'>, orderId: string): Promise<OrderView> {
  const [rows] = await deps.database.underway.run(orderViewCall(orderId));
  const read = toOrderViewRead(rows);
  if (!read) throw notFound('order');
  const { order, reservation, refund } = read;
  const view: OrderView = {
    order_id: order.id,
    event_id: order.eventId,
    status: order.status,
    amount_cents: order.amountCents,
    refunded_cents: order.refundedCents,
    currency: order.currency,
    expires_at: order.expiresAt.toISOString(),
    paid_at: order.paidAt?.toISOString() ?? null,
    age_confirmed_at: order.ageConfirmedAt?.toISOString() ?? null,
    refund_reason: order.refundReason,
    payment: paymentView(order),
    tickets: read.tickets.map((t) => ({
      id: t.id,
      status: t.status,
      // A code exists only for a paid ticket; a void ticket's code no longer admits anyone, and a
      // transferred ticket's is its new holder's alone.
      qr: (t.status === 'valid' || t.status === 'checked_in') && !t.transferred ? t.qr : null,
      holder_name: t.holderName,
      linked_reservation_id: t.linkedReservationId,
      is_host: reservation?.hostTicketId === t.id,
      transferred: t.transferred,
    })),
  };
  if (reservation) {
    const r = await loadReservationView(deps.database.db, reservation.id, deps.config.publicUrl);
    if (r) view.reservation = r;
  }
  if (refund) {
    view.refund = {
      status: refund.status,
      amount_cents: refund.amountCents,
      reason: refund.reason,
      ...(refund.providerRefundId ? { provider_refund_id: refund.providerRefundId } : {}),
    };
  }
  return view;
}
