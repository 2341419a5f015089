import { and, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { reservations } from '../schema.js';

export type ReservationRow = typeof reservations.$inferSelect;

export const ACTIVE_RESERVATION = ['pending', 'confirmed', 'checked_in'] as const;

export async function findReservationByOrder(db: Executor, orderId: string, opts: { lock?: boolean } = {}) {
  const q = db.select().from(reservations).where(eq(reservations.orderId, orderId));
  const [row] = opts.lock ? await q.for('update') : await q;
  return row ?? null;
}

export async function findReservation(db: Executor, id: string, opts: { lock?: boolean } = {}) {
  const q = db.select().from(reservations).where(eq(reservations.id, id));
  const [row] = opts.lock ? await q.for('update') : await q;
  return row ?? null;
}

export async function updateReservation(
  db: Executor,
  id: string,
  patch: Partial<Pick<ReservationRow, 'status' | 'noShow' | 'checkedInAt'>>,
): Promise<ReservationRow> {
  const [row] = await db
    .update(reservations)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(reservations.id, id))
    .returning();
  return row!;
}

export interface ReservationDetails {
  reservation: ReservationRow;
  tableNumber: number;
  tier: string;
  tierCapacity: number;
  hostName: string;
  guests: Array<{ ticketId: string; name: string; arrived: boolean }>;
}

/** A reservation as purchaser, staff and scanners see it: its table, tier and current guest list. */
export async function reservationDetails(db: Executor, id: string): Promise<ReservationDetails | null> {
  const [info] = await queryRows<{ table_number: number; tier: string; tier_capacity: number; host_name: string }>(
    db,
    sql`
    SELECT t.number AS table_number, tr.name AS tier, tr.capacity AS tier_capacity, h.holder_name AS host_name
      FROM reservations r
      JOIN event_tables t ON t.id = r.event_table_id
      JOIN tiers tr ON tr.id = t.tier_id
      JOIN tickets h ON h.id = r.host_ticket_id
     WHERE r.id = ${id}`,
  );
  const reservation = await findReservation(db, id);
  if (!reservation || !info) return null;
  const guests = await queryRows<{ ticket_id: string; name: string; arrived: boolean }>(
    db,
    sql`
    SELECT k.id AS ticket_id, k.holder_name AS name, k.status = 'checked_in' AS arrived
      FROM guest_links gl JOIN tickets k ON k.id = gl.ticket_id
     WHERE gl.reservation_id = ${id} AND gl.unlinked_at IS NULL
     ORDER BY gl.created_at, k.id`,
  );
  return {
    reservation,
    tableNumber: info.table_number,
    tier: info.tier,
    tierCapacity: info.tier_capacity,
    hostName: info.host_name,
    guests: guests.map((g) => ({
      ticketId: g.ticket_id,
      name: g.name,
      arrived: g.arrived,
    })),
  };
}

export async function listEventReservations(
  db: Executor,
  eventId: string,
  statuses: ReservationRow['status'][],
  opts: { lock?: boolean } = {},
): Promise<ReservationRow[]> {
  const q = db
    .select()
    .from(reservations)
    .where(and(eq(reservations.eventId, eventId), inArray(reservations.status, statuses)))
    .orderBy(reservations.id);
  return opts.lock ? q.for('update') : q;
}
