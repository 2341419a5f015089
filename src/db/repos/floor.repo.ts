import { sql } from 'drizzle-orm';
import type { ReservationStatus } from '../../domain/state-machine.js';
import { queryRows, type Executor } from '../database.js';
import { call, statement } from '../flights.js';

export const FLOOR_CHANNEL = 'velvet_floor';

export interface FloorTableRow {
  id: string;
  number: number;
  x: number;
  y: number;
  tier: string;
  capacity: number;
  reservation_id: string | null;
  reservation_status: ReservationStatus | null;
  no_show: boolean | null;
  guests_linked: number;
  guests_arrived: number;
}

/**
 * Each table with its live reservation (or, once the night is over, its completed one) and guest
 * counts. Cancelled reservations do not count: a cancelled table is simply available again.
 */
export async function floorTables(db: Executor, eventId: string, tableId?: string): Promise<FloorTableRow[]> {
  const onlyTable = tableId ? sql`AND t.id = ${tableId}` : sql``;
  return queryRows<FloorTableRow>(
    db,
    sql`
    SELECT t.id, t.number, t.x, t.y, tr.name AS tier, tr.capacity,
           r.id AS reservation_id, r.status AS reservation_status, r.no_show,
           COALESCE(g.linked, 0)::int AS guests_linked, COALESCE(g.arrived, 0)::int AS guests_arrived
      FROM event_tables t
      JOIN tiers tr ON tr.id = t.tier_id
      LEFT JOIN LATERAL (
        SELECT r.id, r.status, r.no_show FROM reservations r
         WHERE r.event_table_id = t.id AND r.status <> 'cancelled'
         ORDER BY r.created_at DESC LIMIT 1
      ) r ON true
      LEFT JOIN LATERAL (
        SELECT count(*) AS linked, count(*) FILTER (WHERE k.status = 'checked_in') AS arrived
          FROM guest_links gl JOIN tickets k ON k.id = gl.ticket_id
         WHERE gl.reservation_id = r.id AND gl.unlinked_at IS NULL
      ) g ON true
     WHERE t.event_id = ${eventId} ${onlyTable}
     ORDER BY t.number`,
  );
}

/** Tells every listening instance that the event itself changed (cancelled, completed); on commit only. */
export async function notifyEventChanged(db: Executor, eventId: string, status: string): Promise<void> {
  await db.execute(
    sql`SELECT pg_notify(${FLOOR_CHANNEL}, ${JSON.stringify({ event_id: eventId, event_status: status })})`,
  );
}

/** What a table's change announces: which event and which table to read again. */
export const tableChangedPayload = (eventId: string, tableId: string) =>
  JSON.stringify({ event_id: eventId, table_id: tableId });

const notifyTable = statement<unknown>('notify_table_changed', 'SELECT pg_notify($1, $2)');

/** notifyTableChanged as a hot path's prepared statement, for a flight. */
export const tableChangedCall = (eventId: string, tableId: string) =>
  call(notifyTable, [FLOOR_CHANNEL, tableChangedPayload(eventId, tableId)]);

/** Tells every listening instance that a table changed; delivered only if the transaction commits. */
export async function notifyTableChanged(db: Executor, eventId: string, tableId: string): Promise<void> {
  await db.execute(sql`SELECT pg_notify(${FLOOR_CHANNEL}, ${tableChangedPayload(eventId, tableId)})`);
}
