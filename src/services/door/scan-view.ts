import type { DoorTicketRow } from '../../db/repos/door.repo.js';
import type { VipFacts } from '../../db/repos/scan-flight.repo.js';
import {
  decisionWords,
  type CheckInDecision,
  type ReentryWarning,
  type ScanResult,
  type TicketKind,
} from '../../domain/check-in.js';
import { conflictWords, type OfflineConflict, type OfflineOutcome } from '../../domain/offline-reconcile.js';
import { translator } from '../../i18n/translator.js';

export interface VipView {
  reservation_id: string;
  table_number: number;
  tier: string;
  role: 'host' | 'guest';
  host_name: string;
  guests: Array<{ ticket_id: string; name: string; arrived: boolean }>;
}

/** The body of `POST /scans` (API.md "Door"), also stored with the scan for idempotent replay. */
export interface ScanResponse {
  result: ScanResult;
  reason?: string;
  message: string;
  already_checked_in: boolean;
  first_checked_in_at?: string;
  first_scanner_id?: string;
  warning?: ReentryWarning;
  /** Null when the code named no ticket we may read (forged, or for another event). */
  ticket: { id: string; holder_name: string; kind: TicketKind } | null;
  vip?: VipView;
  /** Refused by the venue's list: the owner's reason, for staff to act on (not for the guest's ears). */
  refusal?: string;
  /** The event's minimum age, on every admission: staff check ID before letting them in. */
  id_check?: number;
  scanner_id: string;
  scanned_at: string;
  offline?: true;
  offline_result?: ScanResult;
  conflict?: OfflineConflict | 'scanned_in_future' | 'scanned_at_invalid' | 'idempotency_key_reused';
  /**
   * This offline scan was earlier than the entry recorded first (batches sync in any order): it is
   * now the first entry, and the entry named here, at another door, is the duplicate.
   */
  displaced_entry?: { scanner_id: string; scanned_at: string };
}

export interface ScanViewInput {
  decision: CheckInDecision;
  /** Set for an offline scan: how the server reconciled what the device did. */
  outcome: OfflineOutcome | null;
  deviceResult: ScanResult | null;
  ticket: DoorTicketRow | null;
  vip: VipFacts | null;
  /** The event's minimum age (null: none). */
  minAge: number | null;
  scannerId: string;
  at: Date;
}

/** The API's words are English: programs read the codes, people read the door page in theirs. */
const ENGLISH = translator('en');

export function toScanResponse(v: ScanViewInput): ScanResponse {
  const d = v.decision;
  const result = v.outcome?.result ?? d.result;
  const reason = v.outcome ? v.outcome.reason : d.result === 'rejected' ? d.reason : null;
  const table = v.ticket?.table ?? null;
  const words = decisionWords(d, table);
  const message = ENGLISH.say(
    v.outcome?.conflict ? conflictWords(v.outcome.conflict, d.result === 'rejected' ? words : null) : words,
  );
  const out: ScanResponse = {
    result,
    message,
    already_checked_in: d.alreadyCheckedIn,
    ticket: v.ticket && d.kind ? { id: v.ticket.id, holder_name: v.ticket.holderName, kind: d.kind } : null,
    scanner_id: v.scannerId,
    scanned_at: v.at.toISOString(),
  };
  if (reason) out.reason = reason;
  if (d.firstCheckedInAt) out.first_checked_in_at = d.firstCheckedInAt.toISOString();
  if (d.firstScannerId) out.first_scanner_id = d.firstScannerId;
  if (d.result !== 'rejected' && d.warning) out.warning = d.warning;
  if (v.minAge && result !== 'rejected') out.id_check = v.minAge;
  if (reason === 'refused' && v.ticket?.refusedReason) out.refusal = v.ticket.refusedReason;
  if (v.vip && table && result !== 'rejected') {
    out.vip = {
      reservation_id: v.vip.reservationId,
      table_number: v.vip.tableNumber,
      tier: v.vip.tier,
      role: table.role,
      host_name: v.vip.hostName,
      guests: v.vip.guests.map((g) => ({ ticket_id: g.ticketId, name: g.name, arrived: g.arrived })),
    };
  }
  if (v.deviceResult) {
    out.offline = true;
    out.offline_result = v.deviceResult;
    if (v.outcome?.conflict) out.conflict = v.outcome.conflict;
  }
  return out;
}
