import { and, eq, sql } from 'drizzle-orm';
import type { TableLink, TicketFacts } from '../../domain/check-in.js';
import type { ReservationStatus, TicketStatus } from '../../domain/state-machine.js';
import { queryRows, type Executor } from '../database.js';
import { tickets } from '../schema.js';
import { REFUSED_REASON_OF_TICKET } from './refused.repo.js';

export interface DoorTicketRow extends TicketFacts {
  holderName: string;
  hostName: string | null;
}

/** A scanner cache row: the door's facts and the holder's e-mail (the buyer's, or a transfer's) to search by. */
export interface CacheTicketRow extends DoorTicketRow {
  email: string;
}

export interface RawDoorRow {
  id: string;
  event_id: string;
  holder_name: string;
  status: TicketStatus;
  checked_in_at: Date | string | null;
  first_scanner_id: string | null;
  role: 'host' | 'guest' | null;
  reservation_id: string | null;
  reservation_status: ReservationStatus | null;
  table_id: string | null;
  table_number: number | null;
  tier: string | null;
  host_name: string | null;
  refused_reason: string | null;
  code_generation: number;
}

/**
 * The columns of a door ticket row (RawDoorRow) and the joins that produce them from tickets `k`:
 * shared by the scanner cache and the scan's own read (scan-flight.repo.ts).
 */
export const DOOR_TICKET_COLUMNS = `k.id, k.event_id, k.holder_name, k.status, k.checked_in_at, k.first_scanner_id, k.code_generation,
       v.role, v.reservation_id, v.reservation_status, v.table_id,
       t.number AS table_number, tr.name AS tier, h.holder_name AS host_name,
       ${REFUSED_REASON_OF_TICKET} AS refused_reason`;
export const DOOR_TICKET_JOINS = `
      LEFT JOIN LATERAL (
        SELECT c.* FROM (
          SELECT 'host' AS role, r.id AS reservation_id, r.status AS reservation_status,
                 r.event_table_id AS table_id, r.host_ticket_id, r.updated_at, r.no_show, r.checked_in_at
            FROM reservations r WHERE r.host_ticket_id = k.id
          UNION ALL
          SELECT 'guest', r.id, r.status, r.event_table_id, r.host_ticket_id, r.updated_at, NULL, NULL
            FROM guest_links gl JOIN reservations r ON r.id = gl.reservation_id
           WHERE gl.ticket_id = k.id AND gl.unlinked_at IS NULL
        ) c ORDER BY (c.role = 'host') DESC LIMIT 1
      ) v ON true
      LEFT JOIN event_tables t ON t.id = v.table_id
      LEFT JOIN tiers tr ON tr.id = t.tier_id
      LEFT JOIN tickets h ON h.id = v.host_ticket_id`;

export type DoorTicketFilter =
  | { ticketId: string }
  /** The scanner cache: paid and void tickets, optionally only those changed since a time. */
  | { eventId: string; since: Date | null };

/**
 * Everything the check-in decision needs about tickets, one row per ticket: the ticket, and the
 * reservation it enters with. A host ticket's own reservation wins over a guest link (a ticket is
 * never both in practice; the order makes the answer deterministic anyway).
 *
 * `since` selects tickets whose decision inputs may have changed: the ticket row (linking or
 * unlinking a guest touches it) or the reservation it belongs to. All compared columns are database
 * time, like the cursor; `guest_links` stamps are the injected clock's and are not compared.
 */
export async function doorTickets(db: Executor, filter: DoorTicketFilter): Promise<CacheTicketRow[]> {
  let where;
  if ('ticketId' in filter) {
    where = sql`k.id = ${filter.ticketId}`;
  } else {
    const since = filter.since ? sql`AND (k.updated_at >= ${filter.since} OR v.updated_at >= ${filter.since})` : sql``;
    where = sql`k.event_id = ${filter.eventId} AND k.status IN ('valid', 'checked_in', 'void') ${since}`;
  }
  const rows = await queryRows<RawDoorRow & { email: string }>(
    db,
    sql`
    SELECT ${sql.raw(DOOR_TICKET_COLUMNS)}, COALESCE(k.holder_email, o.email) AS email
      FROM tickets k ${sql.raw(DOOR_TICKET_JOINS)}
      JOIN orders o ON o.id = k.order_id
     WHERE ${where}
     ORDER BY k.created_at, k.id`,
  );
  return rows.map((r) => ({ ...toDoorRow(r), email: r.email }));
}

export function toDoorRow(r: RawDoorRow): DoorTicketRow {
  const table: TableLink | null =
    r.role && r.reservation_id && r.reservation_status && r.table_id && r.table_number !== null && r.tier !== null
      ? {
          role: r.role,
          reservationId: r.reservation_id,
          reservationStatus: r.reservation_status,
          tableId: r.table_id,
          tableNumber: r.table_number,
          tier: r.tier,
        }
      : null;
  return {
    id: r.id,
    eventId: r.event_id,
    holderName: r.holder_name,
    status: r.status,
    checkedInAt: r.checked_in_at === null ? null : new Date(r.checked_in_at),
    firstScannerId: r.first_scanner_id,
    table,
    hostName: r.host_name,
    refusedReason: r.refused_reason,
    codeGeneration: r.code_generation,
  };
}

/**
 * An earlier entry arrived late (offline scans sync in any order): the ticket's first entry moves
 * back to it. Only ever earlier, so syncing in any order ends with the earliest scan as the first.
 */
export async function moveFirstEntryBack(
  db: Executor,
  ticketId: string,
  at: Date,
  scannerId: string,
): Promise<boolean> {
  const rows = await db
    .update(tickets)
    .set({ checkedInAt: at, firstScannerId: scannerId, updatedAt: sql`now()` })
    .where(and(eq(tickets.id, ticketId), eq(tickets.status, 'checked_in'), sql`${tickets.checkedInAt} > ${at}`))
    .returning({ id: tickets.id });
  return rows.length === 1;
}

/**
 * The scanner cache's change cursor (`generated_at`, passed back as `?since=`), in database time.
 *
 * Every writer stamps `updated_at = now()`, which is its transaction's start. A transaction still
 * running when the cache is read commits its rows later, stamped with a time before the read: a
 * cursor of "now" would skip them for good. So the cursor is the earlier of now and the start of
 * the oldest transaction in progress on this database (any session Velvet's role can see: all of
 * Velvet's own): whatever commits after the
 * read started at or after the cursor, and the next `?since=` brings it. No overlap, no guessing
 * how long transactions take. (PGlite runs one transaction at a time: none is in progress here.)
 */
export async function changeCursor(db: Executor, kind: 'pglite' | 'postgres'): Promise<Date> {
  const [row] = await queryRows<{ now: Date | string }>(
    db,
    kind === 'postgres'
      ? sql`SELECT least(clock_timestamp(), (SELECT min(xact_start) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL)) AS now`
      : sql`SELECT clock_timestamp() AS now`,
  );
  return new Date(row!.now);
}
