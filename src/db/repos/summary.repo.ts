import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';

export interface SalesRow {
  orders_paid: number;
  revenue_cents: number;
  refunded_cents: number;
  tables_sold: number;
  tables_total: number;
}

/** Money and tables of an event: paid (and later refunded) orders count as revenue taken. */
export async function eventSales(db: Executor, eventId: string): Promise<SalesRow> {
  const [row] = await queryRows<SalesRow>(
    db,
    sql`SELECT
      (SELECT count(*)::int FROM orders WHERE event_id = ${eventId} AND status IN ('paid', 'refunded')) AS orders_paid,
      (SELECT coalesce(sum(amount_cents), 0)::int FROM orders WHERE event_id = ${eventId} AND status IN ('paid', 'refunded')) AS revenue_cents,
      (SELECT coalesce(sum(refunded_cents), 0)::int FROM orders WHERE event_id = ${eventId}) AS refunded_cents,
      (SELECT count(*)::int FROM reservations WHERE event_id = ${eventId} AND status IN ('confirmed', 'checked_in', 'completed')) AS tables_sold,
      (SELECT count(*)::int FROM event_tables WHERE event_id = ${eventId}) AS tables_total`,
  );
  return row!;
}

/**
 * Admitted people per door (by first entry) and per quarter hour of the night (by when they first
 * came in): tickets checked in, as src/domain/night-figures.ts defines "admitted" for every screen.
 */
export async function doorCounts(db: Executor, eventId: string) {
  const byDoor = await queryRows<{ scanner_id: string; admitted: number }>(
    db,
    sql`SELECT first_scanner_id AS scanner_id, count(*)::int AS admitted FROM tickets
         WHERE event_id = ${eventId} AND status = 'checked_in' GROUP BY first_scanner_id ORDER BY first_scanner_id`,
  );
  const overTime = await queryRows<{ at: Date | string; admitted: number }>(
    db,
    sql`SELECT to_timestamp(floor(extract(epoch FROM checked_in_at) / 900) * 900) AS at, count(*)::int AS admitted FROM tickets
         WHERE event_id = ${eventId} AND status = 'checked_in' GROUP BY 1 ORDER BY 1`,
  );
  return { byDoor, overTime: overTime.map((r) => ({ at: new Date(r.at).toISOString(), admitted: r.admitted })) };
}

/** Every guest let past a full table at the door: who did it, when, for whom. */
export async function capacityOverrides(db: Executor, eventId: string) {
  return queryRows<{ at: Date | string; by_email: string; guest_name: string; table_number: number }>(
    db,
    sql`SELECT gl.created_at AS at, u.email AS by_email, t.holder_name AS guest_name, et.number AS table_number
          FROM guest_links gl
          JOIN users u ON u.id = gl.linked_by_user_id
          JOIN tickets t ON t.id = gl.ticket_id
          JOIN reservations r ON r.id = gl.reservation_id
          JOIN event_tables et ON et.id = r.event_table_id
         WHERE gl.event_id = ${eventId} AND gl.override_capacity
         ORDER BY gl.created_at`,
  );
}
