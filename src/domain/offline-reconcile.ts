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

export const CONFLICT_MESSAGES: Record<OfflineConflict, string> = {
  already_checked_in: 'Admitted offline, but the ticket had already been checked in',
  void: 'Admitted offline, but the ticket is void (refunded, expired or cancelled)',
  not_paid: 'Admitted offline, but the ticket was never paid',
  invalid_code: 'Admitted offline, but the code is not a valid Velvet ticket',
  wrong_event: 'Admitted offline, but the ticket is for another event',
  event_cancelled: 'Admitted offline, but the event was cancelled',
  event_not_open: 'Admitted offline outside the event window',
  refused: 'Admitted offline, but the holder is on the refused list: tell the manager',
  transferred: 'Admitted offline with an old code: the ticket had been transferred to someone else',
  turned_away_but_valid: 'Turned away offline, but the ticket was valid (the scanner cache was stale)',
};
