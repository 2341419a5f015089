/**
 * The door scan's statements (see record-scan.ts for the order they run in). Written once as SQL
 * text: on PostgreSQL each is prepared once per connection and a scan sends them in two flights.
 */
import type { EntryScan, ScanResult } from '../../domain/check-in.js';
import type { EventStatus, ReservationStatus } from '../../domain/state-machine.js';
import { call, statement, type Call } from '../flights.js';
import { DOOR_TICKET_COLUMNS, DOOR_TICKET_JOINS, toDoorRow, type DoorTicketRow, type RawDoorRow } from './door.repo.js';

/**
 * The scan's locks in one statement, in the order every writer takes them: the ticket, then the
 * reservation it hosts (a host's scan may move it; for any other ticket there is none). The
 * reservation's lock depends on the ticket's row, so it is taken after it.
 */
// `hosted` is read only to make the reservation's FOR UPDATE happen (a count, as text from pg).
const lockTicketAndHosted = statement<{ event_id: string; hosted: string | number }>(
  'scan_lock',
  `WITH t AS MATERIALIZED (SELECT id, event_id FROM tickets WHERE id = $1 FOR UPDATE)
   SELECT t.event_id, (SELECT count(*) FROM (SELECT 1 FROM reservations r WHERE r.host_ticket_id = t.id FOR UPDATE) h) AS hosted
     FROM t`,
);

interface RawScanRead extends RawDoorRow {
  stored_code: string | null;
  event_status: EventStatus;
  starts_at: Date | string;
  ends_at: Date | string;
  completed_at: Date | string | null;
  min_age: number | null;
  no_show: boolean | null;
  reservation_checked_in_at: Date | string | null;
  prior_id: string | number | null;
  prior_ticket_id: string | null;
  prior_nonce: string | null;
  prior_response: unknown;
  prior_digest: string | null;
  near_scanner_id: string | null;
  near_at: Date | string | null;
  guests: Array<{ ticket_id: string; name: string; arrived: boolean }> | null;
}

/**
 * Everything the decision reads, in one statement: the scanner's event, the ticket (when it is
 * this event's) with its table, a host's reservation facts, the scan this scanner already made
 * with this nonce, and for a VIP code the nearest entry at another scanner within the re-entry
 * warning window and the table's guest list (shown to the host). The nearest entry is the nearer
 * of the last one before the scan and the first one after it, each one step down the
 * (ticket, time) index from the scan's time: a host re-entering all night at a busy door has
 * thousands of entries in the window, and reading them all per scan made every scan slower. $1 event, $2 ticket, $3 scanner, $4 nonce, $5 scan time, $6 window (s).
 */
const readForScan = statement<RawScanRead>(
  'scan_read',
  `SELECT e.status AS event_status, e.starts_at, e.ends_at, e.completed_at, e.min_age,
       ${DOOR_TICKET_COLUMNS}, k.qr AS stored_code, v.no_show, v.checked_in_at AS reservation_checked_in_at,
       p.id AS prior_id, p.ticket_id AS prior_ticket_id, p.nonce AS prior_nonce, p.response AS prior_response, p.request_digest AS prior_digest,
       n.scanner_id AS near_scanner_id, n.scanned_at AS near_at,
       CASE WHEN v.reservation_id IS NOT NULL THEN COALESCE((
         SELECT json_agg(json_build_object('ticket_id', g.id, 'name', g.holder_name, 'arrived', g.status = 'checked_in') ORDER BY gl.created_at, g.id)
           FROM guest_links gl JOIN tickets g ON g.id = gl.ticket_id
          WHERE gl.reservation_id = v.reservation_id AND gl.unlinked_at IS NULL), '[]'::json) END AS guests
  FROM events e
  LEFT JOIN tickets k ON k.id = $2 AND k.event_id = e.id
  ${DOOR_TICKET_JOINS}
  LEFT JOIN LATERAL (SELECT id, ticket_id, nonce, response, request_digest FROM scans WHERE scanner_id = $3 AND nonce = $4) p ON true
  LEFT JOIN LATERAL (
    SELECT x.scanner_id, x.scanned_at FROM (
      (SELECT s.scanner_id, s.scanned_at FROM scans s
        WHERE v.role IS NOT NULL AND $6::int > 0 AND s.ticket_id = k.id AND s.result IN ('admitted', 'reentry') AND s.scanner_id <> $3
          AND s.scanned_at <= $5::timestamptz AND s.scanned_at >= $5::timestamptz - make_interval(secs => $6::int)
        ORDER BY s.scanned_at DESC LIMIT 1)
      UNION ALL
      (SELECT s.scanner_id, s.scanned_at FROM scans s
        WHERE v.role IS NOT NULL AND $6::int > 0 AND s.ticket_id = k.id AND s.result IN ('admitted', 'reentry') AND s.scanner_id <> $3
          AND s.scanned_at > $5::timestamptz AND s.scanned_at <= $5::timestamptz + make_interval(secs => $6::int)
        ORDER BY s.scanned_at ASC LIMIT 1)) x
     ORDER BY abs(extract(epoch FROM x.scanned_at - $5::timestamptz)) LIMIT 1
  ) n ON true
 WHERE e.id = $1`,
);

export interface VipFacts {
  reservationId: string;
  tableNumber: number;
  tier: string;
  hostName: string;
  guests: Array<{ ticketId: string; name: string; arrived: boolean }>;
}

export interface ScanRead {
  /** `minAge`: the door checks ID at every admission (18 or 21; null: no minimum). */
  event: { status: EventStatus; startsAt: Date; endsAt: Date; completedAt: Date | null; minAge: number | null };
  ticket: DoorTicketRow | null;
  /** The code issued for the ticket (null before it was paid). */
  storedCode: string | null;
  /** A host ticket's reservation (locked): whether it was marked a no-show, and when the host arrived. */
  host: { noShow: boolean; checkedInAt: Date | null } | null;
  /** The scan this scanner already recorded with this nonce. */
  prior: { ticketId: string | null; nonce: string; response: unknown; requestDigest: string | null } | null;
  recentEntries: EntryScan[];
  /** The table the code enters with, as the door shows it (guest list as read, before this scan). */
  vip: VipFacts | null;
}

/** Flight one after BEGIN: lock the ticket and a host's reservation, then read (fresh: after the locks). */
export function lockAndRead(p: {
  eventId: string;
  ticketId: string;
  scannerId: string;
  nonce: string | null;
  at: Date;
  windowSeconds: number;
}) {
  return [
    call(lockTicketAndHosted, [p.ticketId]),
    call(readForScan, [
      p.eventId,
      p.ticketId,
      p.scannerId,
      p.nonce,
      p.at.toISOString(),
      Math.max(0, Math.floor(p.windowSeconds)),
    ]),
  ] as const;
}

/** The read's one row, or null when the event does not exist. */
export function toScanRead(rows: RawScanRead[]): ScanRead | null {
  const r = rows[0];
  if (!r) return null;
  const date = (v: Date | string) => new Date(v);
  const ticket = r.id ? toDoorRow(r) : null;
  return {
    event: {
      status: r.event_status,
      startsAt: date(r.starts_at),
      endsAt: date(r.ends_at),
      completedAt: r.completed_at === null ? null : date(r.completed_at),
      minAge: r.min_age,
    },
    ticket,
    storedCode: r.stored_code,
    host:
      ticket?.table?.role === 'host'
        ? {
            noShow: r.no_show ?? false,
            checkedInAt: r.reservation_checked_in_at === null ? null : date(r.reservation_checked_in_at),
          }
        : null,
    prior:
      r.prior_id !== null
        ? {
            ticketId: r.prior_ticket_id,
            nonce: r.prior_nonce!,
            response: r.prior_response,
            requestDigest: r.prior_digest,
          }
        : null,
    recentEntries: r.near_scanner_id && r.near_at ? [{ scannerId: r.near_scanner_id, at: date(r.near_at) }] : [],
    vip:
      ticket?.table && r.guests
        ? {
            reservationId: ticket.table.reservationId,
            tableNumber: ticket.table.tableNumber,
            tier: ticket.table.tier,
            hostName: r.host_name ?? '',
            guests: r.guests.map((g) => ({ ticketId: g.ticket_id, name: g.name, arrived: g.arrived })),
          }
        : null,
  };
}

const INSERT_SCAN = `INSERT INTO scans (event_id, ticket_id, scanner_id, user_id, nonce, scanned_at, offline, method, displaced_scan_id,
                      result, reason, offline_result, conflict, response, request_digest)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15)`;

// No ON CONFLICT: a nonce another transaction recorded meanwhile fails this insert (unique index
// scans_nonce), which aborts the whole flight, so nothing this scan did is committed.
const insert = statement<unknown>('scan_insert', INSERT_SCAN);

// A first entry: the ticket checks in and the scan is appended, in one statement. The ticket was
// read as valid under this transaction's lock, so exactly one row changes. If not, the cast fails
// with the message (not a constant, so it is never folded at plan time) and the whole flight rolls
// back instead of recording an admission that did not happen. $16 ticket, $6 time, $3 scanner.
const checkInAndInsert = statement<{ ok: boolean }>(
  'scan_check_in_and_insert',
  `WITH u AS (
     UPDATE tickets SET status = 'checked_in', checked_in_at = $6, first_scanner_id = $3, updated_at = now()
      WHERE id = $16 AND status = 'valid' RETURNING 1),
   i AS (${INSERT_SCAN})
   SELECT CASE WHEN count(*) = 1 THEN true ELSE ('ticket locked as valid did not check in, rows: ' || count(*))::boolean END AS ok FROM u`,
);

const arrive = statement<{ id: string }>(
  'scan_reservation_arrived',
  `UPDATE reservations SET status = COALESCE($2, status), no_show = COALESCE($3, no_show), checked_in_at = $4, updated_at = now()
    WHERE id = $1 RETURNING id`,
);

/** The host arrived: the reservation's new status (or null to keep it), `noShow` cleared or kept. */
export const reservationArrivedCall = (
  reservationId: string,
  p: { status: ReservationStatus | null; clearNoShow: boolean; at: Date },
) => call(arrive, [reservationId, p.status, p.clearNoShow ? false : null, p.at.toISOString()]);

export interface ScanInsert {
  eventId: string | null;
  ticketId: string | null;
  scannerId: string;
  userId: string;
  nonce: string | null;
  scannedAt: Date;
  offline: boolean;
  method: 'code' | 'manual';
  displacedScanId: number | null;
  result: ScanResult;
  reason: string | null;
  offlineResult: ScanResult | null;
  conflict: string | null;
  response: unknown;
  requestDigest: string;
}

const scanValues = (s: ScanInsert): unknown[] => [
  s.eventId,
  s.ticketId,
  s.scannerId,
  s.userId,
  s.nonce,
  s.scannedAt.toISOString(),
  s.offline,
  s.method,
  s.displacedScanId,
  s.result,
  s.reason,
  s.offlineResult,
  s.conflict,
  JSON.stringify(s.response),
  s.requestDigest,
];

/** The scan's row in the append-only log. */
export const insertScanCall = (s: ScanInsert): Call<unknown> => call(insert, scanValues(s));

/** valid → checked_in (stamped with this scan's time and scanner) and the scan's row; fails if the ticket was not valid. */
export const checkInAndInsertScanCall = (ticketId: string, s: ScanInsert): Call<unknown> =>
  call(checkInAndInsert, [...scanValues(s), ticketId]);
