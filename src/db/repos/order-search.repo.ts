import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';

export interface FoundOrder {
  order_id: string;
  name: string;
  email: string;
  status: 'pending' | 'paid' | 'expired' | 'refunded';
  amount_cents: number;
  refunded_cents: number;
  currency: string;
  tickets: number;
  checked_in: number;
  table_number: number | null;
  created_at: Date | string;
  paid_at: Date | string | null;
}

/** `%` and `_` typed by the owner are literal characters, not wildcards. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * An event's orders matching what the owner typed: the buyer's name or e-mail, a ticket holder's
 * name, the start of an order or ticket id, a ticket's QR code, a table's invite code or number.
 * Without `q`, every order; newest first, at most `limit`.
 */
export async function searchEventOrders(
  db: Executor,
  eventId: string,
  q: string | null,
  limit: number,
): Promise<FoundOrder[]> {
  let match: SQL = sql`true`;
  if (q) {
    const like = `%${likeEscape(q)}%`;
    const prefix = `${likeEscape(q.toLowerCase())}%`;
    const number = /^\d{1,5}$/.test(q) ? Number(q) : null;
    // A code is matched from 4 characters on: "2" means table 2, not every id that starts with 2.
    const codePrefix = q.length >= 4 ? prefix : null;
    match = sql`(
      o.name ILIKE ${like} OR o.email ILIKE ${like} OR o.id::text LIKE ${codePrefix}
      OR EXISTS (SELECT 1 FROM tickets t WHERE t.order_id = o.id AND (t.holder_name ILIKE ${like} OR t.id::text LIKE ${codePrefix} OR t.qr = ${q}))
      OR EXISTS (SELECT 1 FROM reservations r JOIN event_tables et ON et.id = r.event_table_id
                  WHERE r.order_id = o.id AND (r.invite_code = ${q.toUpperCase().replace(/[\s-]/g, '')} OR et.number = ${number})))`;
  }
  return queryRows<FoundOrder>(
    db,
    sql`SELECT o.id AS order_id, o.name, o.email, o.status, o.amount_cents, o.refunded_cents, o.currency, o.created_at, o.paid_at,
               (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id) AS tickets,
               (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id AND t.status = 'checked_in') AS checked_in,
               (SELECT et.number FROM reservations r JOIN event_tables et ON et.id = r.event_table_id WHERE r.order_id = o.id) AS table_number
          FROM orders o
         WHERE o.event_id = ${eventId} AND ${match}
         ORDER BY o.created_at DESC, o.id
         LIMIT ${limit}`,
  );
}

export interface TicketScanRow {
  ticket_id: string;
  scanned_at: Date | string;
  scanner_id: string;
  result: string;
  reason: string | null;
  offline: boolean;
  method: string;
}

/** Every scan of an order's tickets, oldest first (the scan log is append-only). */
export async function orderScans(db: Executor, orderId: string): Promise<TicketScanRow[]> {
  return queryRows<TicketScanRow>(
    db,
    sql`SELECT s.ticket_id, s.scanned_at, s.scanner_id, s.result, s.reason, s.offline, s.method
          FROM scans s JOIN tickets t ON t.id = s.ticket_id
         WHERE t.order_id = ${orderId}
         ORDER BY s.scanned_at, s.id`,
  );
}

export interface AttendeeRow {
  ticket_id: string;
  holder_name: string;
  status: string;
  kind: string;
  table_number: number | null;
  checked_in_at: Date | string | null;
  order_id: string;
  buyer_name: string;
  buyer_email: string;
}

/** Every ticket of an event that was paid for (valid, checked in, or voided by a refund), for the door list export. */
export async function eventAttendees(db: Executor, eventId: string): Promise<AttendeeRow[]> {
  return queryRows<AttendeeRow>(
    db,
    sql`SELECT t.id AS ticket_id, t.holder_name, t.status,
               CASE WHEN host.id IS NOT NULL THEN 'vip_host' WHEN gl.id IS NOT NULL THEN 'vip_guest' ELSE 'ga' END AS kind,
               coalesce(host_table.number, guest_table.number) AS table_number,
               t.checked_in_at, o.id AS order_id, o.name AS buyer_name, o.email AS buyer_email
          FROM tickets t
          JOIN orders o ON o.id = t.order_id
          LEFT JOIN reservations host ON host.host_ticket_id = t.id AND host.status <> 'cancelled'
          LEFT JOIN event_tables host_table ON host_table.id = host.event_table_id
          LEFT JOIN guest_links gl ON gl.ticket_id = t.id AND gl.unlinked_at IS NULL
          LEFT JOIN reservations gr ON gr.id = gl.reservation_id
          LEFT JOIN event_tables guest_table ON guest_table.id = gr.event_table_id
         WHERE t.event_id = ${eventId} AND o.status IN ('paid', 'refunded')
         ORDER BY t.holder_name, t.id`,
  );
}
