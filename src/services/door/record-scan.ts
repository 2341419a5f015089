import { createHash, timingSafeEqual } from 'node:crypto';
import { pgConstraint, pgErrorCode, type Executor } from '../../db/database.js';
import type { Call, FlightTx } from '../../db/flights.js';
import { moveFirstEntryBack, type DoorTicketRow } from '../../db/repos/door.repo.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { tableChangedCall } from '../../db/repos/floor.repo.js';
import { updateReservation } from '../../db/repos/reservations.repo.js';
import {
  checkInAndInsertScanCall,
  insertScanCall,
  lockAndRead,
  reservationArrivedCall,
  toScanRead,
  type ScanInsert,
} from '../../db/repos/scan-flight.repo.js';
import { enqueueArrivalPushCall } from '../../db/repos/pushes.repo.js';
import { findFirstEntryScan, findScanByNonce, insertScan, type ScanRow } from '../../db/repos/scans.repo.js';
import { findTicket } from '../../db/repos/tickets.repo.js';
import {
  decideCheckIn,
  type CheckInDecision,
  type CheckInInput,
  type EntryScan,
  type ScanResult,
} from '../../domain/check-in.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { canonicalCode, parseTicketCode } from '../../domain/ticket-code.js';
import { reconcileOfflineScan } from '../../domain/offline-reconcile.js';
import { reservationMachine, step } from '../../domain/state-machine.js';
import type { AppDeps } from '../deps.js';
import { toScanResponse, type ScanResponse, type ScanViewInput } from './scan-view.js';

/**
 * One scan attempt, online or offline, from code to recorded fact:
 *
 *  1. Verify the code's signature and screen it (invalid / other event) without reading any ticket.
 *     Screened out → 404 if the scanner's event does not exist, the stored answer if this scanner
 *     already used the nonce, otherwise append the refusal (ticket_id null) and answer.
 *  2. Otherwise one transaction in two flights (flights.ts: each flight one round trip):
 *     flight 1: BEGIN; lock the ticket row (FOR UPDATE, lock_timeout) and then the reservation it
 *       hosts, if any, in one statement (always ticket first, then reservation); read everything the decision needs
 *       in one statement (scan-flight.repo.ts): the event, the ticket with its table, the scan this
 *       scanner already made with this nonce, a VIP code's nearest entry elsewhere and its guests.
 *     Then, in memory: a known nonce answers its stored response (nothing decided or logged twice);
 *       otherwise the pure decision (src/domain/check-in.ts), for an offline scan reconciled with what
 *       the device did (src/domain/offline-reconcile.ts).
 *     flight 2: the scan appended with its response (for a first entry, in the same statement as
 *       the ticket's check-in), the other effects (reservation checked in, one floor-plan
 *       notification when the table's arrivals changed), COMMIT.
 *     A late offline scan that is earlier than the recorded first entry moves that entry back in a
 *     flight of its own between the two (rare; the repositories' builder on the same transaction).
 *  3. If the append hits the (scanner_id, nonce) unique index, a concurrent duplicate won: the
 *     flight fails, nothing commits, and the duplicate's stored response is the answer.
 *
 * A nonce already used is a resend when it asks the same thing (`requestDigest`: the door's
 * event and the code as read, or the ticket picked by name), whatever the answer was: then the
 * stored answer is the answer. Asking something else with it is `idempotency_key_reused`.
 *
 * Why no input of the decision can be stale: the read is its own statement, sent after the lock
 * statement, so under READ COMMITTED its snapshot is taken once the locks are granted and sees
 * every transaction committed before then. (A single statement that locked and read would recheck
 * only the locked row after waiting, and could decide on an event or reservation read before the
 * wait.) Everything that changes an input afterwards waits for a lock this scan holds: another scan
 * of the code, voiding or linking/unlinking the ticket (ticket row), the host's table being
 * checked in or completed (reservation row); a concurrent scan of the same nonce, for another
 * ticket, is caught by the unique index at the append. Concurrent scans of one code queue on the
 * ticket lock, so exactly one sees it `valid`.
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

/** `generation` absent: staff picked the ticket by name, which is its current holder whatever the code. */
type Code = { eventId: string; ticketId: string; generation?: number };

/**
 * What a scan names before it is trusted: a well-formed code's ids (its signature not checked
 * yet), or the ticket staff picked by name (trusted: staff are logged in).
 */
interface Claim extends Code {
  /** The code as we would have issued it (null for a manual admission). */
  canonical: string | null;
}

export async function recordScan(deps: Deps, attempt: ScanAttempt): Promise<RecordedScan> {
  const claim = claimOf(attempt);
  // A code for another event than this door's: its signature decides between invalid_code and
  // wrong_event without reading anything (rare: a guest at the wrong club).
  if (!claim || (attempt.scannerEventId !== null && claim.eventId !== attempt.scannerEventId)) {
    return recordScreenedOut(deps, attempt, claim && authenticBySignature(deps, claim, attempt) ? claim : null);
  }
  let named: string | null = claim.ticketId;
  try {
    return await deps.database.flights((tx) =>
      checkIn(tx, deps, attempt, claim, (authentic) => {
        named = authentic ? claim.ticketId : null;
      }),
    );
  } catch (err) {
    if (!(pgErrorCode(err) === '23505' && pgConstraint(err) === 'scans_nonce')) throw err;
    const db = deps.database.db;
    const prior = await findScanByNonce(db, attempt.scannerId, attempt.nonce!);
    if (!prior) throw new Error('scan nonce conflicted but no scan holds it');
    return replay(db, prior, attempt, named);
  }
}

/**
 * What a scan asks, whatever the answer: the door's event and the code exactly as read, or the
 * ticket staff picked (a UUID in any letter case is the same ticket). Stored with the scan.
 */
export function requestDigest(attempt: Pick<ScanAttempt, 'scannerEventId' | 'qr' | 'ticketId'>): string {
  const what = attempt.ticketId ? `ticket:${attempt.ticketId.toLowerCase()}` : `code:${attempt.qr ?? ''}`;
  return createHash('sha256')
    .update(`${attempt.scannerEventId ?? ''}\n${what}`)
    .digest('base64url')
    .slice(0, 22);
}

function claimOf(attempt: ScanAttempt): Claim | null {
  if (attempt.ticketId)
    return attempt.scannerEventId
      ? { eventId: attempt.scannerEventId, ticketId: attempt.ticketId, canonical: null }
      : null;
  const parts = attempt.qr === null ? null : parseTicketCode(attempt.qr);
  return parts
    ? {
        eventId: parts.eventId,
        ticketId: parts.ticketId,
        generation: parts.generation,
        canonical: canonicalCode(parts),
      }
    : null;
}

/**
 * Whether a claimed code is ours. The ticket row stores the code we issued (Ed25519 signatures
 * are deterministic), so a code equal to it is authentic without the ~130 µs signature check;
 * anything else (no ticket, a code never stored) is checked by signature, exactly as before.
 * Compared in constant time: the stored code must not leak byte by byte through timing.
 */
function authentic(deps: Deps, claim: Claim, attempt: ScanAttempt, storedCode: string | null): boolean {
  if (claim.canonical === null) return true;
  if (
    storedCode !== null &&
    storedCode.length === claim.canonical.length &&
    timingSafeEqual(Buffer.from(storedCode), Buffer.from(claim.canonical))
  )
    return true;
  return authenticBySignature(deps, claim, attempt);
}

function authenticBySignature(deps: Deps, claim: Claim, attempt: ScanAttempt): boolean {
  return claim.canonical === null || (attempt.qr !== null && deps.keys.signer.verify(attempt.qr) !== null);
}

/**
 * The scanner already used this nonce: a resend of the same request answers the stored result
 * (nothing decided or logged twice); any other request is the nonce reused for another scan, and
 * answering the stored result would turn a valid ticket away as "invalid", or admit a code for
 * another event than this scanner's. Rows recorded before request digests existed are compared
 * by the ticket they named: the same code for the same event names the same ticket, or none.
 */
async function replay(
  db: Executor,
  prior: Pick<ScanRow, 'ticketId' | 'nonce' | 'response' | 'requestDigest'>,
  attempt: ScanAttempt,
  ticketId: string | null,
): Promise<RecordedScan> {
  const same =
    prior.requestDigest !== null
      ? prior.requestDigest === requestDigest(attempt)
      : await namesSameTicket(db, prior, ticketId);
  if (!same) {
    throw new DomainError('idempotency_key_reused', 'This scanner already used that nonce for another scan', {
      nonce: prior.nonce,
    });
  }
  return { response: prior.response as ScanResponse, replayed: true };
}

async function namesSameTicket(
  db: Executor,
  prior: Pick<ScanRow, 'ticketId'>,
  ticketId: string | null,
): Promise<boolean> {
  const recorded = ticketId && !prior.ticketId && !(await findTicket(db, ticketId)) ? null : ticketId;
  return (prior.ticketId ?? null) === recorded;
}

async function recordScreenedOut(deps: Deps, attempt: ScanAttempt, code: Code | null): Promise<RecordedScan> {
  const db = deps.database.db;
  if (attempt.scannerEventId && !(await findEvent(db, attempt.scannerEventId))) throw notFound('event');
  const prior = attempt.nonce ? await findScanByNonce(db, attempt.scannerId, attempt.nonce) : null;
  if (prior) return replay(db, prior, attempt, null);
  const decision = decide(deps, attempt, code, null, null, []);
  const response = toScanResponse(viewInput(attempt, decision, null, null));
  // A concurrent duplicate may record the same nonce first: then its answer is this one's too.
  const row = await insertScan(db, scanRow(attempt, null, response, attempt.scannerEventId, null));
  if (row) return { response, replayed: false };
  const winner = await findScanByNonce(db, attempt.scannerId, attempt.nonce!);
  if (!winner) throw new Error('scan nonce conflicted but no scan holds it');
  return replay(db, winner, attempt, null);
}

async function checkIn(
  tx: FlightTx,
  deps: Deps,
  attempt: ScanAttempt,
  claim: Claim,
  onAuthentic: (authentic: boolean) => void,
): Promise<RecordedScan> {
  const [, rows] = await tx.send(
    ...lockAndRead({
      eventId: claim.eventId,
      ticketId: claim.ticketId,
      scannerId: attempt.scannerId,
      nonce: attempt.nonce,
      at: attempt.at,
      windowSeconds: deps.config.reentryWarningSeconds,
    }),
  );
  const read = toScanRead(rows);
  if (!read && attempt.scannerEventId) throw notFound('event');
  const isOurs = authentic(deps, claim, attempt, read?.storedCode ?? null);
  onAuthentic(isOurs);
  // A forged code is refused like any code that is not ours: no ticket named, none read.
  const code = isOurs ? claim : null;
  if (read?.prior) return replay(tx.db, read.prior, attempt, code?.ticketId ?? null);
  // A signed code names its own event, but a manual admission names only a ticket id: one of
  // another event is "not a ticket of this door" (the read finds it only in its own event).
  const ticket = code ? (read?.ticket ?? null) : null;
  const event = ticket ? read!.event : null;
  const host = ticket ? (read?.host ?? null) : null;
  // Offline scans are decided at their own time, and batches arrive in any order: a ticket whose
  // first entry is *later* than this scan was still valid when this scan happened. So this scan
  // is the first entry, and for a GA code the later one is the duplicate (see offline-sync.md).
  const laterFirstEntry =
    attempt.deviceResult !== null &&
    ticket?.status === 'checked_in' &&
    ticket.checkedInAt !== null &&
    ticket.checkedInAt > attempt.at;
  const asOfScan = laterFirstEntry
    ? { ...ticket!, status: 'valid' as const, checkedInAt: null, firstScannerId: null }
    : ticket;
  const decision = decide(deps, attempt, code, event, asOfScan, ticket ? read!.recentEntries : []);
  const input = viewInput(attempt, decision, ticket, event?.minAge ?? null);
  // Online: admitted means applied. Offline: applied only when the device let them in and the
  // server agrees (reconcileOfflineScan), which is exactly when the recorded result is an entry.
  const entered = (input.outcome ? input.outcome.result : decision.result) !== 'rejected';
  const effects: Call<unknown>[] = [];
  let displaced: ScanRow | null = null;
  let firstEntry = false;
  if (entered && ticket) {
    if (laterFirstEntry) displaced = await moveFirstEntry(tx.db, attempt, decision, ticket, host?.checkedInAt ?? null);
    else {
      firstEntry = decision.result !== 'rejected' && decision.checkInTicket;
      effects.push(...checkInEffects(attempt, decision, ticket, host?.noShow ?? false));
    }
    if (ticket.table && decision.kind !== 'ga' && read!.vip) {
      // The guest list as read, plus this very arrival (applied in the same transaction).
      const guests = read!.vip.guests.map((g) =>
        g.ticketId === ticket.id && decision.result === 'admitted' && decision.checkInTicket
          ? { ...g, arrived: true }
          : g,
      );
      input.vip = { ...read!.vip, guests };
    }
  }
  const response = toScanResponse(input);
  if (displaced)
    response.displaced_entry = { scanner_id: displaced.scannerId, scanned_at: displaced.scannedAt.toISOString() };
  const scan = scanRow(
    attempt,
    ticket?.id ?? null,
    response,
    ticket?.eventId ?? attempt.scannerEventId,
    displaced?.id ?? null,
  );
  // A first entry checks the ticket in with the scan's own append: one statement.
  await tx.commit(firstEntry ? checkInAndInsertScanCall(ticket!.id, scan) : insertScanCall(scan), ...effects);
  return { response, replayed: false };
}

/**
 * This (offline) scan is earlier than the ticket's recorded first entry: it becomes the first
 * entry (ticket and, for a host, the table's arrival time move back to it). A GA code admits once,
 * so the entry it displaces is now the duplicate: returned, to be named on this scan's row. A VIP
 * code may re-enter: the later entry simply became a re-entry, nothing to report.
 */
async function moveFirstEntry(
  db: Executor,
  attempt: ScanAttempt,
  d: CheckInDecision,
  ticket: DoorTicketRow,
  hostArrivedAt: Date | null,
): Promise<ScanRow | null> {
  const previous = ticket.checkedInAt!;
  await moveFirstEntryBack(db, ticket.id, attempt.at, attempt.scannerId);
  if (ticket.table?.role === 'host' && hostArrivedAt && hostArrivedAt > attempt.at) {
    await updateReservation(db, ticket.table.reservationId, { checkedInAt: attempt.at });
  }
  return d.kind === 'ga' ? findFirstEntryScan(db, ticket.id, previous) : null;
}

/** The writes an admission makes besides the ticket's check-in, sent with the scan's append in the last flight. */
function checkInEffects(
  attempt: ScanAttempt,
  d: CheckInDecision,
  ticket: DoorTicketRow,
  noShow: boolean,
): Call<unknown>[] {
  if (d.result === 'rejected') return [];
  const effects: Call<unknown>[] = [];
  const table = ticket.table;
  if (!table) return effects;
  if (d.checkInReservation) {
    const next = step(reservationMachine, table.reservationStatus, 'check_in');
    if (next.ok)
      effects.push(
        reservationArrivedCall(table.reservationId, { status: next.to, clearNoShow: false, at: attempt.at }),
      );
  } else if (d.kind === 'vip_host' && table.reservationStatus === 'completed' && noShow) {
    // An offline scan from the night, synced after it was closed: the host did come after all.
    effects.push(reservationArrivedCall(table.reservationId, { status: null, clearNoShow: true, at: attempt.at }));
  }
  // The floor plan changes when the host arrives, or when a linked ticket's first entry adds to
  // the table's `guests_arrived`; a re-entry changes nothing there.
  if (d.checkInTicket || d.checkInReservation || noShow) effects.push(tableChangedCall(ticket.eventId, table.tableId));
  // A linked guest's first entry tells the host (if they asked): queued here, sent by the push
  // worker after the commit. A re-entry, or the same arrival synced again, sends nothing.
  if (d.checkInTicket && d.kind === 'vip_guest') effects.push(enqueueArrivalPushCall(table.reservationId, ticket.id));
  return effects;
}

function decide(
  deps: Deps,
  attempt: ScanAttempt,
  code: Code | null,
  event: CheckInInput['event'],
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

function viewInput(
  attempt: ScanAttempt,
  decision: CheckInDecision,
  ticket: DoorTicketRow | null,
  minAge: number | null,
): ScanViewInput {
  return {
    decision,
    outcome: attempt.deviceResult ? reconcileOfflineScan(attempt.deviceResult, decision) : null,
    deviceResult: attempt.deviceResult,
    ticket,
    vip: null,
    minAge,
    scannerId: attempt.scannerId,
    at: attempt.at,
  };
}

function scanRow(
  attempt: ScanAttempt,
  ticketId: string | null,
  response: ScanResponse,
  eventId: string | null,
  displacedScanId: number | null,
): ScanInsert {
  return {
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
    requestDigest: requestDigest(attempt),
  };
}
