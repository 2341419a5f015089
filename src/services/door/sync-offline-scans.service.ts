import { createHash } from 'node:crypto';
import { findEvent } from '../../db/repos/events.repo.js';
import type { ScanResult } from '../../domain/check-in.js';
import { notFound } from '../../domain/errors.js';
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
  eventId: string | null;
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
  deps: Pick<AppDeps, 'database' | 'keys' | 'config'>,
  input: SyncOfflineInput,
): Promise<OfflineScanResult[]> {
  if (input.eventId && !(await findEvent(deps.database.db, input.eventId))) throw notFound('event');
  const ordered = input.scans
    .map((scan, index) => ({ scan, index }))
    .sort((a, b) => a.scan.scannedAt.getTime() - b.scan.scannedAt.getTime() || a.index - b.index);
  const results: OfflineScanResult[] = new Array(input.scans.length);
  for (const { scan, index } of ordered) {
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
  }
  return results;
}

export function offlineNonce(scannerId: string, scan: Pick<OfflineScan, 'qr' | 'ticketId' | 'scannedAt'>): string {
  const what = scan.qr ?? `ticket:${scan.ticketId}`;
  const digest = createHash('sha256').update(`${scannerId}\n${what}\n${scan.scannedAt.toISOString()}`).digest('base64url');
  return `offline:${digest}`;
}
