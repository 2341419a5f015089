import type { Executor, Tx } from '../../db/database.js';
import { checkInTicket, doorTickets, moveFirstEntryBack, type DoorTicketRow } from '../../db/repos/door.repo.js';
import { findEvent, type EventRow } from '../../db/repos/events.repo.js';
import { notifyTableChanged } from '../../db/repos/floor.repo.js';
import { findReservation, reservationDetails, updateReservation } from '../../db/repos/reservations.repo.js';
import { findFirstEntryScan, findScanByNonce, insertScan, nearestEntryElsewhere, type ScanRow } from '../../db/repos/scans.repo.js';
import { findTicket } from '../../db/repos/tickets.repo.js';
import { decideCheckIn, screenCode, type CheckInDecision, type EntryScan, type ScanResult } from '../../domain/check-in.js';
import { DomainError } from '../../domain/errors.js';
import { reconcileOfflineScan } from '../../domain/offline-reconcile.js';
import { reservationMachine, step } from '../../domain/state-machine.js';
import type { AppDeps } from '../deps.js';
import { toScanResponse, type ScanResponse, type ScanViewInput } from './scan-view.js';

/**
 * One scan attempt, online or offline, from code to recorded fact:
 *
 *  1. Verify the code's signature and screen it (invalid / other event) without reading any ticket.
 *  2. A nonce this scanner already used answers the stored response: nothing is decided or logged twice.
 *  3. Screened out → append the refusal (ticket_id null) and answer.
 *  4. Otherwise, in one transaction: lock the ticket row (FOR UPDATE, lock_timeout), read the ticket's table
 *     (locking the host's reservation, which this scan may move), the ticket's recent entries, and the
 *     event; run the pure decision (src/domain/check-in.ts); for an offline scan reconcile it with
 *     what the device did (src/domain/offline-reconcile.ts); apply the effects (ticket checked in,
 *     reservation checked in, one floor-plan notification when the table's arrivals changed);
 *     append the scan with its response. Concurrent scans of one code queue on the ticket lock, so
 *     exactly one sees it `valid`.
 *  5. If the append hits the (scanner_id, nonce) unique index, a concurrent duplicate won: roll
 *     everything back and answer its stored response.
 */
export interface ScanAttempt {
  /** What the camera read or staff typed; null for a manual admission picked by name. */
  qr: string | null;
  /**
   * Manual admission: the ticket staff picked from the door's search (the guest whose phone died).
   * Needs `scannerEventId`; decided exactly as its code would be, and recorded as `manual`.
   */
  ticketId?: string | null;
  scannerId: string;
  /** The event the scanner works; null means the code's own event. */
  scannerEventId: string | null;
  userId: string;
  nonce: string | null;
  /** When the scan happened: now for online scans, the device's `scanned_at` for offline ones. */
  at: Date;
  /** Offline scans only: what the device showed at the door. */
  deviceResult: ScanResult | null;
}

export interface RecordedScan {
  response: ScanResponse;
  replayed: boolean;
}

type Deps = Pick<AppDeps, 'database' | 'keys' | 'config'>;

type Code = { eventId: string; ticketId: string };

class NonceTaken extends Error {}

export async function recordScan(deps: Deps, attempt: ScanAttempt): Promise<RecordedScan> {
  const db = deps.database.db;
  const code = codeOf(deps, attempt);
  const screened = screenCode(code, attempt.scannerEventId);
  const ticketId = screened ? null : code!.ticketId;
  if (attempt.nonce) {
    const prior = await findScanByNonce(db, attempt.scannerId, attempt.nonce);
    if (prior) return replay(db, prior, ticketId);
  }
  try {
    const response = screened
      ? await recordWithoutTicket(deps, attempt, code)
      : await deps.database.transaction((tx) => checkInLocked(tx, deps, attempt, code!));
    return { response, replayed: false };
  } catch (err) {
    if (!(err instanceof NonceTaken)) throw err;
    const prior = await findScanByNonce(db, attempt.scannerId, attempt.nonce!);
    if (!prior) throw new Error('scan nonce conflicted but no scan holds it');
    return replay(db, prior, ticketId);
  }
}

function codeOf(deps: Deps, attempt: ScanAttempt): Code | null {
  if (attempt.ticketId) return attempt.scannerEventId ? { eventId: attempt.scannerEventId, ticketId: attempt.ticketId } : null;
  const parts = attempt.qr === null ? null : deps.keys.signer.verify(attempt.qr);
  return parts ? { eventId: parts.eventId, ticketId: parts.ticketId } : null;
}

/**
 * A retry carries the same code for the same event, so it names the same ticket, or none for both
 * (a code screened out, or signed for a ticket not on record). Any other pairing is the nonce
 * reused for another scan: answering the stored result would turn a valid ticket away as
 * "invalid", or admit a code that is for another event than this scanner's.
 */
async function replay(db: Executor, prior: ScanRow, ticketId: string | null): Promise<RecordedScan> {
  const recorded = ticketId && !prior.ticketId && !(await findTicket(db, ticketId)) ? null : ticketId;
  if ((prior.ticketId ?? null) !== recorded) {
    throw new DomainError('idempotency_key_reused', 'This scanner already used that nonce for another scan', {
      nonce: prior.nonce,
    });
  }
  return { response: prior.response as ScanResponse, replayed: true };
}

async function recordWithoutTicket(deps: Deps, attempt: ScanAttempt, code: Code | null): Promise<ScanResponse> {
  const decision = decide(deps, attempt, code, null, null, []);
  const response = toScanResponse(viewInput(attempt, decision, null));
  await appendScan(deps.database.db, attempt, null, response);
  return response;
}

async function checkInLocked(tx: Tx, deps: Deps, attempt: ScanAttempt, code: Code): Promise<ScanResponse> {
  // lock_timeout is set on every PostgreSQL connection. A duplicate nonce that commits while we wait
  // for the lock is caught by the unique index when the scan is appended (NonceTaken, rolled back).
  const found = await findTicket(tx, code.ticketId, { lock: true });
  // A signed code names its own event, but a manual admission names only a ticket id: one of
  // another event is "not a ticket of this door" and stays out of that event's scan log.
  const locked = found?.eventId === code.eventId ? found : null;
  const [ticket = null] = locked ? await doorTickets(tx, { ticketId: locked.id }) : [];
  let noShow = false;
  let hostArrivedAt: Date | null = null;
  if (ticket?.table?.role === 'host') {
    // This scan may move the reservation: hold it too (always ticket first, then reservation).
    const r = await findReservation(tx, ticket.table.reservationId, { lock: true });
    if (r) ticket.table.reservationStatus = r.status;
    noShow = r?.noShow ?? false;
    hostArrivedAt = r?.checkedInAt ?? null;
  }
  // Read after the locks: an event ending (which completes reservations) committed while we
  // waited is then seen as ended, not half.
  const event = ticket ? await findEvent(tx, ticket.eventId) : null;
  // Only a VIP code can re-enter, so only a VIP code can raise the shared-screenshot warning.
  const recent = ticket?.table
    ? await nearestEntryElsewhere(tx, ticket.id, attempt.scannerId, attempt.at, deps.config.reentryWarningSeconds)
    : [];
  // Offline scans are decided at their own time, and batches arrive in any order: a ticket whose
  // first entry is *later* than this scan was still valid when this scan happened. So this scan
  // is the first entry, and for a GA code the later one is the duplicate (see offline-sync.md).
  const laterFirstEntry = attempt.deviceResult !== null && ticket?.status === 'checked_in' && ticket.checkedInAt !== null && ticket.checkedInAt > attempt.at;
  const asOfScan = laterFirstEntry ? { ...ticket!, status: 'valid' as const, checkedInAt: null, firstScannerId: null } : ticket;
  const decision = decide(deps, attempt, code, event, asOfScan, recent);
  const input = viewInput(attempt, decision, ticket);
  // Online: admitted means applied. Offline: applied only when the device let them in and the
  // server agrees (reconcileOfflineScan), which is exactly when the recorded result is an entry.
  const entered = (input.outcome ? input.outcome.result : decision.result) !== 'rejected';
  let displaced: ScanRow | null = null;
  if (entered && ticket) {
    if (laterFirstEntry) displaced = await moveFirstEntry(tx, attempt, decision, ticket, hostArrivedAt);
    else await applyCheckIn(tx, attempt, decision, ticket, noShow);
    // Read after the update so the host sees this very arrival in the guest list.
    if (ticket.table && decision.kind !== 'ga') input.vip = await reservationDetails(tx, ticket.table.reservationId);
  }
  const response = toScanResponse(input);
  if (displaced) response.displaced_entry = { scanner_id: displaced.scannerId, scanned_at: displaced.scannedAt.toISOString() };
  await appendScan(tx, attempt, ticket?.id ?? null, response, ticket?.eventId, displaced?.id ?? null);
  return response;
}

/**
 * This (offline) scan is earlier than the ticket's recorded first entry: it becomes the first
 * entry (ticket and, for a host, the table's arrival time move back to it). A GA code admits once,
 * so the entry it displaces is now the duplicate: returned, to be named on this scan's row. A VIP
 * code may re-enter: the later entry simply became a re-entry, nothing to report.
 */
async function moveFirstEntry(tx: Tx, attempt: ScanAttempt, d: CheckInDecision, ticket: DoorTicketRow, hostArrivedAt: Date | null): Promise<ScanRow | null> {
  const previous = ticket.checkedInAt!;
  await moveFirstEntryBack(tx, ticket.id, attempt.at, attempt.scannerId);
  if (ticket.table?.role === 'host' && hostArrivedAt && hostArrivedAt > attempt.at) {
    await updateReservation(tx, ticket.table.reservationId, { checkedInAt: attempt.at });
  }
  return d.kind === 'ga' ? findFirstEntryScan(tx, ticket.id, previous) : null;
}

async function applyCheckIn(tx: Tx, attempt: ScanAttempt, d: CheckInDecision, ticket: DoorTicketRow, noShow: boolean): Promise<void> {
  if (d.result === 'rejected') return;
  if (d.checkInTicket && !(await checkInTicket(tx, ticket.id, attempt.at, attempt.scannerId))) {
    throw new Error(`ticket ${ticket.id} was locked as valid but did not check in`);
  }
  const table = ticket.table;
  if (!table) return;
  if (d.checkInReservation) {
    const next = step(reservationMachine, table.reservationStatus, 'check_in');
    if (next.ok) await updateReservation(tx, table.reservationId, { status: next.to, checkedInAt: attempt.at });
  } else if (d.kind === 'vip_host' && table.reservationStatus === 'completed' && noShow) {
    // An offline scan from the night, synced after it was closed: the host did come after all.
    await updateReservation(tx, table.reservationId, { noShow: false, checkedInAt: attempt.at });
  }
  // The floor plan changes when the host arrives, or when a linked ticket's first entry adds to
  // the table's `guests_arrived`; a re-entry changes nothing there.
  if (d.checkInTicket || d.checkInReservation || noShow) await notifyTableChanged(tx, ticket.eventId, table.tableId);
}

function decide(
  deps: Deps,
  attempt: ScanAttempt,
  code: Code | null,
  event: EventRow | null,
  ticket: DoorTicketRow | null,
  recentEntries: EntryScan[],
): CheckInDecision {
  return decideCheckIn({
    code,
    scannerEventId: attempt.scannerEventId,
    event,
    ticket,
    recentEntries,
    scannerId: attempt.scannerId,
    now: attempt.at,
    reentryWarningSeconds: deps.config.reentryWarningSeconds,
  });
}

function viewInput(attempt: ScanAttempt, decision: CheckInDecision, ticket: DoorTicketRow | null): ScanViewInput {
  return {
    decision,
    outcome: attempt.deviceResult ? reconcileOfflineScan(attempt.deviceResult, decision) : null,
    deviceResult: attempt.deviceResult,
    ticket,
    vip: null,
    scannerId: attempt.scannerId,
    at: attempt.at,
  };
}

async function appendScan(
  db: Executor,
  attempt: ScanAttempt,
  ticketId: string | null,
  response: ScanResponse,
  eventId: string | null = attempt.scannerEventId,
  displacedScanId: number | null = null,
): Promise<void> {
  const row = await insertScan(db, {
    eventId,
    ticketId,
    scannerId: attempt.scannerId,
    userId: attempt.userId,
    nonce: attempt.nonce,
    scannedAt: attempt.at,
    offline: attempt.deviceResult !== null,
    method: attempt.ticketId ? 'manual' : 'code',
    displacedScanId,
    result: response.result,
    reason: response.reason ?? null,
    offlineResult: attempt.deviceResult,
    conflict: response.conflict ?? null,
    response,
  });
  if (!row) throw new NonceTaken();
}
