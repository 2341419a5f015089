import { recentEntryWords, scanWords, type ScanResult, type TicketKind } from '@domain/check-in.js';
import type { CachedEvent } from '@domain/scanner-cache.js';
import { clockTime as clock, dayAndTime } from '../lib/format.js';
import type { Text, Words } from '../lib/i18n.js';
import type * as contract from '../lib/contract.js';

/** `POST /scans` and each `/scans/batch` result, as the API sends them. */
export type ScanResponse = contract.ScanResponse;

/** What the door shows for one scan, whether the server or this device decided it. */
export interface DoorResult {
  id: number;
  result: ScanResult;
  reason: string | null;
  /** The line in words, e.g. "Already checked in 21:14 at door-2" (said in the door's language when shown). */
  message: Text;
  warning: Words | null;
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
 * A refusal in words: "Already checked in 21:14 at door-2" in the door's own clock, "Too early:
 * the door opens Fri 4 Dec, 23:00" when the event is known, else the domain's words for the
 * reason (src/domain/check-in.ts scanWords), the same online and offline.
 */
export function rejectionWords(
  r: Pick<ScanResponse, 'reason' | 'first_checked_in_at' | 'first_scanner_id' | 'refusal'>,
  event?: CachedEvent,
  now = new Date(),
): Words {
  const reason = r.reason ?? null;
  let words: Words;
  if (reason === 'event_not_open' && event) {
    words =
      now < new Date(event.starts_at)
        ? { key: 'door.tooEarly', values: { when: dayAndTime(event.starts_at) } }
        : { key: 'door.over', values: { when: dayAndTime(event.ends_at) } };
  } else {
    words = scanWords({
      result: 'rejected',
      reason,
      kind: null,
      table: null,
      firstAt: r.first_checked_in_at ? clock(r.first_checked_in_at) : null,
      firstScanner: r.first_scanner_id ?? null,
    });
  }
  return r.refusal ? { key: 'door.refusalReason', values: { words, reason: r.refusal } } : words;
}

/** What the door says for an answer (the server's or this device's), from its facts, in the door's language. */
export function answerWords(r: ScanResponse, event?: CachedEvent): Words {
  if (r.result === 'rejected') return rejectionWords(r, event);
  const vip = r.vip;
  return scanWords({
    result: r.result,
    reason: null,
    kind: r.ticket?.kind ?? null,
    table: vip ? { tableNumber: vip.table_number, tier: vip.tier } : null,
    firstAt: null,
    firstScanner: null,
  });
}

export function fromServer(r: ScanResponse, provisional = false, event?: CachedEvent): DoorResult {
  return {
    id: ++seq,
    result: r.result,
    reason: r.reason ?? null,
    message: answerWords(r, event),
    warning: r.warning ? recentEntryWords(r.warning) : null,
    ticket: r.ticket ? { id: r.ticket.id, holderName: r.ticket.holder_name, kind: r.ticket.kind } : null,
    vip: r.vip ?? null,
    idCheck: r.id_check ?? null,
    provisional,
    at: new Date(),
  };
}

/** A request the API refused outright (bad input, no rights): shown like a refusal, in its words. */
export function fromError(message: Text): DoorResult {
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

/** "Same code again — admitted 2 s ago": what the code got the first time. */
export function repeatWords(r: DoorResult, now = new Date()): Words {
  const first = r.repeat?.firstShownAt ?? r.at;
  const seconds = Math.max(0, Math.round((now.getTime() - first.getTime()) / 1000));
  return { key: 'door.result.same', values: { result: r.result, seconds } };
}
