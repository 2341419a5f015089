import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../src/db/database.js';

/**
 * What the database says happened, to hold against what the load generator was answered. The bench
 * reads the tables directly (like test/support/snapshot.ts): it checks the product, it is not part of it.
 */
export interface DoorFacts {
  scans: number;
  admitted: number;
  reentry: number;
  rejected: number;
  /** Tickets with more than one `admitted` scan: must be 0. */
  admittedTwice: number;
  checkedIn: number;
}

export interface BuyFacts {
  paidOrders: number;
  validSignedTickets: number;
  gaSold: number;
}

export async function doorFacts(db: Executor, eventId: string): Promise<DoorFacts> {
  const [scans] = await queryRows<Omit<DoorFacts, 'admittedTwice' | 'checkedIn'>>(
    db,
    sql`
    SELECT count(*)::int AS scans,
           count(*) FILTER (WHERE result = 'admitted')::int AS admitted,
           count(*) FILTER (WHERE result = 'reentry')::int AS reentry,
           count(*) FILTER (WHERE result = 'rejected')::int AS rejected
      FROM scans WHERE event_id = ${eventId}`,
  );
  const [twice] = await queryRows<{ n: number }>(
    db,
    sql`
    SELECT count(*)::int AS n FROM (
      SELECT ticket_id FROM scans WHERE event_id = ${eventId} AND result = 'admitted'
       GROUP BY ticket_id HAVING count(*) > 1) d`,
  );
  const [checked] = await queryRows<{ n: number }>(
    db,
    sql`
    SELECT count(*)::int AS n FROM tickets WHERE event_id = ${eventId} AND status = 'checked_in'`,
  );
  return { ...scans!, admittedTwice: twice!.n, checkedIn: checked!.n };
}

export async function buyFacts(db: Executor, eventId: string): Promise<BuyFacts> {
  const [orders] = await queryRows<{ n: number }>(
    db,
    sql`
    SELECT count(*)::int AS n FROM orders WHERE event_id = ${eventId} AND status = 'paid'`,
  );
  const [tickets] = await queryRows<{ n: number }>(
    db,
    sql`
    SELECT count(*)::int AS n FROM tickets WHERE event_id = ${eventId} AND status = 'valid' AND qr IS NOT NULL`,
  );
  const [event] = await queryRows<{ n: number }>(db, sql`SELECT ga_sold AS n FROM events WHERE id = ${eventId}`);
  return { paidOrders: orders!.n, validSignedTickets: tickets!.n, gaSold: event!.n };
}

export interface DropFacts {
  /** Live (pending or paid) reservations of the drop's tables. */
  liveReservations: number;
  /** Tables with more than one live reservation: must be 0 (the schema refuses it too). */
  heldTwice: number;
  /** Orders that hold one of the drop's tables. */
  tableOrders: number;
}

export async function dropFacts(db: Executor, eventId: string): Promise<DropFacts> {
  const [r] = await queryRows<DropFacts>(
    db,
    sql`
    SELECT (SELECT count(*)::int FROM reservations WHERE event_id = ${eventId} AND status IN ('pending', 'confirmed')) AS "liveReservations",
           (SELECT count(*)::int FROM (SELECT event_table_id FROM reservations
              WHERE event_id = ${eventId} AND status IN ('pending', 'confirmed')
              GROUP BY event_table_id HAVING count(*) > 1) d) AS "heldTwice",
           (SELECT count(*)::int FROM orders WHERE event_id = ${eventId} AND event_table_id IS NOT NULL AND status = 'pending') AS "tableOrders"`,
  );
  return r!;
}

export interface RefundFacts {
  orders: number;
  pending: number;
  succeeded: number;
  failed: number;
  /** Orders with more than one refund: must be 0. */
  refundedTwice: number;
}

export async function refundFacts(db: Executor, eventId: string): Promise<RefundFacts> {
  const [r] = await queryRows<RefundFacts>(
    db,
    sql`
    SELECT (SELECT count(*)::int FROM orders WHERE event_id = ${eventId} AND status IN ('paid', 'refunded')) AS orders,
           count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
           count(*) FILTER (WHERE status = 'failed')::int AS failed,
           (SELECT count(*)::int FROM (SELECT order_id FROM refunds WHERE event_id = ${eventId} GROUP BY order_id HAVING count(*) > 1) d) AS "refundedTwice"
      FROM refunds WHERE event_id = ${eventId}`,
  );
  return r!;
}
