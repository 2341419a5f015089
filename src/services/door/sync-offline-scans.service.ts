import { createHash } from 'node:crypto';
import { findEvent } from '../../db/repos/events.repo.js';
import type { ScanResult } from '../../domain/check-in.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { recordScan } from './record-scan.js';
import type { ScanResponse } from './scan-view.js';

export interface OfflineScan {
  qr: string | null;
  /** A manual admission picked by name on the device (see ScanAttempt.ticketId). */
  ticketId?: string | null;
  scannedAt: Date;
  offlineResult: ScanResult;
  /**
   * The nonce the device first tried this scan online with. When that request did reach the server
   * (its answer was lost, so the device decided offline), the batch replays it instead of scanning
   * the code a second time and reporting a false conflict.
   */
  nonce?: string | null;
}

export interface SyncOfflineInput {
  scannerId: string;
  eventId: string;
  userId: string;
  scans: OfflineScan[];
}

export type OfflineScanResult = ScanResponse & { index: number; replayed: boolean };

/**
 * `POST /scans/batch`: a scanner's offline queue. Scans are applied in `scanned_at` order (ties
 * keep the device's order), each through the same path as an online scan but decided at its own
 * `scanned_at` and reconciled with what the device showed (src/domain/offline-reconcile.ts), each
 * in its own transaction so one code's lock never holds up the rest.
 *
 * Each scan's nonce is derived from (scanner, code, scanned_at): sending the same batch again, or a
 * batch that overlaps one already synced, answers the recorded results and changes nothing.
 * Results come back in the request's order, each with its `index`.
 */
export async function syncOfflineScans(
  deps: Pick<AppDeps, 'database' | 'keys' | 'config' | 'clock' | 'metrics'>,
  input: SyncOfflineInput,
): Promise<OfflineScanResult[]> {
  if (input.eventId && !(await findEvent(deps.database.db, input.eventId))) throw notFound('event');
  const results: OfflineScanResult[] = new Array(input.scans.length);
  // A scan dated after the server's now comes from a scanner with a wrong clock: trusting it would
  // check a host in "before" the event and block the owner's cancellation. Refused for that item
  // alone, recorded nowhere (so a resend answers the same), reported to the door in words.
  // The same for a clock reset to an impossible date (a phone back at 1970, or year 0).
  const now = deps.clock.now();
  const latest = now.getTime() + OFFLINE_CLOCK_SKEW_MS;
  const ordered = input.scans
    .map((scan, index) => ({ scan, index }))
    .filter(({ scan, index }) => {
      const at = scan.scannedAt.getTime();
      if (at > latest)
        results[index] = clockRefusal(
          index,
          input.scannerId,
          scan,
          'scanned_in_future',
          `later than the server's ${now.toISOString()}`,
        );
      else if (at < EARLIEST_SCAN)
        results[index] = clockRefusal(index, input.scannerId, scan, 'scanned_at_invalid', 'which cannot be right');
      else return true;
      return false;
    })
    .sort((a, b) => a.scan.scannedAt.getTime() - b.scan.scannedAt.getTime() || a.index - b.index);
  for (const { scan, index } of ordered) {
    try {
      const { response, replayed } = await recordScan(deps, {
        qr: scan.qr,
        ticketId: scan.ticketId ?? null,
        scannerId: input.scannerId,
        scannerEventId: input.eventId,
        userId: input.userId,
        nonce: scan.nonce ?? offlineNonce(input.scannerId, scan),
        at: scan.scannedAt,
        deviceResult: scan.offlineResult,
      });
      results[index] = { index, ...response, replayed };
      if (!replayed) deps.metrics.scanned(response.result, scan.ticketId ? 'manual' : 'code', 'offline');
    } catch (err) {
      // A refusal of this item alone (its nonce already spent on another code): the rest of the
      // batch is still applied, and a resend answers this item the same way again.
      if (!(err instanceof DomainError) || err.code !== 'idempotency_key_reused') throw err;
      results[index] = refusedItem(
        index,
        input.scannerId,
        scan,
        err.code,
        `Not applied: ${err.message} (${scan.nonce}). Scan the code again.`,
      );
    }
  }
  for (const r of results) {
    if (r.replayed) continue;
    if (r.conflict) deps.metrics.conflict(r.conflict);
    else if (r.displaced_entry) deps.metrics.conflict('displaced_entry');
  }
  return results;
}

/** How far ahead of the server's clock a scanner's clock may run before its scans are refused. */
export const OFFLINE_CLOCK_SKEW_MS = 120_000;
const EARLIEST_SCAN = Date.UTC(2000, 0, 1);

function clockRefusal(
  index: number,
  scannerId: string,
  scan: OfflineScan,
  why: 'scanned_in_future' | 'scanned_at_invalid',
  detail: string,
): OfflineScanResult {
  return refusedItem(
    index,
    scannerId,
    scan,
    why,
    `Not applied: scanned at ${scan.scannedAt.toISOString()} by this scanner's clock, ${detail}. Check the scanner's clock.`,
  );
}

type ItemRefusal = 'scanned_in_future' | 'scanned_at_invalid' | 'idempotency_key_reused';

/** An item the server did not apply or record: reported to the door as a conflict of its own. */
function refusedItem(
  index: number,
  scannerId: string,
  scan: OfflineScan,
  why: ItemRefusal,
  message: string,
): OfflineScanResult {
  return {
    index,
    replayed: false,
    result: 'rejected',
    reason: why,
    conflict: why,
    message,
    already_checked_in: false,
    ticket: null,
    scanner_id: scannerId,
    scanned_at: scan.scannedAt.toISOString(),
    offline: true,
    offline_result: scan.offlineResult,
  };
}

export function offlineNonce(scannerId: string, scan: Pick<OfflineScan, 'qr' | 'ticketId' | 'scannedAt'>): string {
  const what = scan.qr ?? `ticket:${scan.ticketId}`;
  const digest = createHash('sha256')
    .update(`${scannerId}\n${what}\n${scan.scannedAt.toISOString()}`)
    .digest('base64url');
  return `offline:${digest}`;
}
