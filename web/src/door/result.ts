import { REJECT_MESSAGES, type ScanResult, type TicketKind } from '@domain/check-in.js';
import type { CachedEvent } from '@domain/scanner-cache.js';
import { clockTime as clock, dayAndTime } from '../lib/format.js';
import type * as contract from '../lib/contract.js';

/** `POST /scans` and each `/scans/batch` result, as the API sends them. */
export type ScanResponse = contract.ScanResponse;

/** What the door shows for one scan, whether the server or this device decided it. */
export interface DoorResult {
  id: number;
  result: ScanResult;
  reason: string | null;
  /** The headline in words, e.g. "Already checked in 21:14 at door-2". */
  message: string;
  warning: string | null;
  ticket: { id: string; holderName: string; kind: TicketKind } | null;
  vip: ScanResponse['vip'] | null;
  /** Check ID: the event's minimum age (null: none, or refused). */
  idCheck: number | null;
  /** Decided on this device from its cache (no server): final once synced. */
  provisional: boolean;
  at: Date;
  /** The offline queue's key of the scan behind a provisional result (it settles when that syncs). */
  queueSeq?: number;
  /** The camera saw the code of this result again: shown as a repeat, nothing was sent. */
  repeat?: { firstShownAt: Date };
}

let seq = 0;

/**
 * "Already checked in 21:14 at door-2" in the door's own time zone, "Too early: the door opens
 * Fri 4 Dec, 23:00" when the event is known, or the reason in the words the server uses
 * (REJECT_MESSAGES, src/domain/check-in.ts), the same online and offline.
 */
export function rejectionText(
  reason: string | null,
  firstAt?: string | null,
  firstScanner?: string | null,
  fallback?: string,
  event?: CachedEvent,
  now = new Date(),
): string {
  if (reason === 'already_checked_in') {
    const when = firstAt ? ` ${clock(firstAt)}` : '';
    const where = firstScanner ? ` at ${firstScanner}` : '';
    return `Already checked in${when}${where}`;
  }
  if (reason === 'event_not_open' && event) {
    if (now < new Date(event.starts_at)) return `Too early: the door opens ${dayAndTime(event.starts_at)}`;
    return `This event is over: it ended ${dayAndTime(event.ends_at)}`;
  }
  return (
    (reason && reason in REJECT_MESSAGES ? REJECT_MESSAGES[reason as keyof typeof REJECT_MESSAGES] : null) ??
    fallback ??
    'Refused'
  );
}

export function fromServer(r: ScanResponse, provisional = false, event?: CachedEvent): DoorResult {
  const reason = r.reason ?? null;
  return {
    id: ++seq,
    result: r.result,
    reason,
    message:
      r.result === 'rejected'
        ? rejectionText(reason, r.first_checked_in_at, r.first_scanner_id, r.message, event) +
          (r.refusal ? `. Reason: ${r.refusal}` : '')
        : r.message,
    warning: r.warning?.message ?? null,
    ticket: r.ticket ? { id: r.ticket.id, holderName: r.ticket.holder_name, kind: r.ticket.kind } : null,
    vip: r.vip ?? null,
    idCheck: r.id_check ?? null,
    provisional,
    at: new Date(),
  };
}

/** A request the API refused outright (bad input, no rights): shown like a refusal, in its words. */
export function fromError(message: string): DoorResult {
  return {
    id: ++seq,
    result: 'rejected',
    reason: null,
    message,
    warning: null,
    ticket: null,
    vip: null,
    idCheck: null,
    provisional: false,
    at: new Date(),
  };
}

/** The result on screen, shown again because its code came back into the camera's view. */
export function repeatOf(shown: DoorResult): DoorResult {
  return { ...shown, id: ++seq, at: new Date(), repeat: { firstShownAt: shown.repeat?.firstShownAt ?? shown.at } };
}

/** "admitted 2 s ago", "refused 1 s ago": what the code got the first time. */
export function repeatText(r: DoorResult, now = new Date()): string {
  const first = r.repeat?.firstShownAt ?? r.at;
  const seconds = Math.max(0, Math.round((now.getTime() - first.getTime()) / 1000));
  const verb = r.result === 'rejected' ? 'refused' : r.result === 'reentry' ? 'let back in' : 'admitted';
  return `Same code again — ${verb} ${seconds} s ago`;
}
