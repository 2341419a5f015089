import type { TicketStatus } from '../../domain/state-machine.js';
import { call, statement } from '../flights.js';
import { fromRow } from '../rows.js';
import { orders } from '../schema.js';
import type { OrderRow } from './orders.repo.js';
import type { RefundRow } from './refunds.repo.js';

interface RawOrderView {
  [column: string]: unknown;
  tickets: Array<{
    id: string;
    status: TicketStatus;
    qr: string | null;
    holder_name: string;
    linked_reservation_id: string | null;
    transferred: boolean;
  }>;
  reservation_id: string | null;
  host_ticket_id: string | null;
  refund_status: RefundRow['status'] | null;
  refund_amount_cents: number | null;
  refund_for: RefundRow['reason'] | null;
  refund_provider_id: string | null;
}

/**
 * Everything the buyer's view of an order shows but a table's details, in one statement: the order,
 * its tickets in order (each with the table it is linked to as a guest), its reservation and refund.
 */
const readOrderView = statement<RawOrderView>(
  'order_view_read',
  `SELECT o.*,
          COALESCE((SELECT json_agg(json_build_object(
                      'id', t.id, 'status', t.status, 'qr', t.qr, 'holder_name', t.holder_name, 'transferred', t.holder_token_hash IS NOT NULL,
                      'linked_reservation_id', (SELECT gl.reservation_id FROM guest_links gl WHERE gl.ticket_id = t.id AND gl.unlinked_at IS NULL LIMIT 1))
                      ORDER BY t.created_at, t.id)
                      FROM tickets t WHERE t.order_id = o.id), '[]'::json) AS tickets,
          r.id AS reservation_id, r.host_ticket_id,
          f.status AS refund_status, f.amount_cents AS refund_amount_cents, f.reason AS refund_for, f.provider_refund_id AS refund_provider_id
     FROM orders o
     LEFT JOIN reservations r ON r.order_id = o.id
     LEFT JOIN refunds f ON f.order_id = o.id
    WHERE o.id = $1`,
);

export const orderViewCall = (orderId: string) => call(readOrderView, [orderId]);

export interface OrderViewRead {
  order: OrderRow;
  tickets: Array<{
    id: string;
    status: TicketStatus;
    qr: string | null;
    holderName: string;
    linkedReservationId: string | null;
    transferred: boolean;
  }>;
  reservation: { id: string; hostTicketId: string } | null;
  refund: {
    status: RefundRow['status'];
    amountCents: number;
    reason: RefundRow['reason'];
    providerRefundId: string | null;
  } | null;
}

export function toOrderViewRead(rows: RawOrderView[]): OrderViewRead | null {
  const r = rows[0];
  if (!r) return null;
  return {
    order: fromRow(orders, r),
    tickets: r.tickets.map((t) => ({
      id: t.id,
      status: t.status,
      qr: t.qr,
      holderName: t.holder_name,
      linkedReservationId: t.linked_reservation_id,
      transferred: t.transferred,
    })),
    reservation: r.reservation_id ? { id: r.reservation_id, hostTicketId: r.host_ticket_id! } : null,
    refund: r.refund_status
      ? {
          status: r.refund_status,
          amountCents: r.refund_amount_cents!,
          reason: r.refund_for!,
          providerRefundId: r.refund_provider_id,
        }
      : null,
  };
}
