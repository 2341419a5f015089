import type { Words } from '../i18n/translator.js';
/**
 * Reconciling one offline scan. A scanner without network decided from its cache and showed a
 * result; the person then went in or was turned away: that already happened. The server runs the
 * same decision (at the scan's own time, in `scanned_at` order) and compares:
 *
 *   device let them in,  server admits   → apply (check in), no conflict
 *   device let them in,  server refuses  → change nothing, conflict = the server's reason
 *                                          (e.g. `already_checked_in`: one GA code admitted at two
 *                                          doors; `void`: admitted after a refund)
 *   device turned away,  server admits   → change nothing (nobody entered), conflict
 *                                          `turned_away_but_valid` (a stale cache, usually)
 *   device turned away,  server refuses  → change nothing, no conflict
 *
 * "Change nothing" means no ticket or reservation moves; the scan itself is always recorded as a fact.
 */
import type { CheckInDecision, RejectReason, ScanResult } from './check-in.js';

export type OfflineConflict = RejectReason | 'turned_away_but_valid';

export interface OfflineOutcome {
  /** Whether the decision's effects (ticket and reservation check-in) happen. */
  apply: boolean;
  result: ScanResult;
  reason: RejectReason | 'turned_away_offline' | null;
  conflict: OfflineConflict | null;
}

export function reconcileOfflineScan(deviceResult: ScanResult, decision: CheckInDecision): OfflineOutcome {
  const deviceAdmitted = deviceResult !== 'rejected';
  if (decision.result !== 'rejected') {
    return deviceAdmitted
      ? { apply: true, result: decision.result, reason: null, conflict: null }
      : { apply: false, result: 'rejected', reason: 'turned_away_offline', conflict: 'turned_away_but_valid' };
  }
  return {
    apply: false,
    result: 'rejected',
    reason: decision.reason,
    conflict: deviceAdmitted ? decision.reason : null,
  };
}

/**
 * Every conflict a synced scan can come back with: the decision's (OfflineConflict), the server
 * not applying an item at all (its clock, a reused nonce), or this device giving up on one it
 * will never take as it is (`unsyncable`).
 */
export type SyncConflict =
  OfflineConflict | 'scanned_in_future' | 'scanned_at_invalid' | 'idempotency_key_reused' | 'unsyncable';

/** Conflicts where the server did not apply the scan at all: no refusal of its own to add. */
export const NOT_APPLIED: ReadonlySet<SyncConflict> = new Set([
  'scanned_in_future',
  'scanned_at_invalid',
  'idempotency_key_reused',
]);

/**
 * What the server found when an offline decision reached it, in words (src/i18n), with the
 * server's own refusal after it when it refused the scan too.
 */
export function conflictWords(conflict: SyncConflict, refusal: Words | null): Words {
  const words: Words = { key: `door.conflict.${conflict}` as const };
  return refusal ? { key: 'door.conflict.withReason', values: { conflict: words, words: refusal } } : words;
}
