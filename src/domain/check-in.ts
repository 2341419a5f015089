/**
 * The door's decision: one pure function that the server (inside a transaction, ticket row locked)
 * and the offline scanner page (from its cache) both run, so they can never disagree on the rules.
 *
 * Algorithm (first matching rule wins):
 *  1. The code's signature did not verify, or it is not a Velvet code      → rejected/invalid_code
 *  2. The code is for another event than the one this scanner works       → rejected/wrong_event
 *  3. The ticket or its event is unknown (signed, yet nothing on record)  → rejected/invalid_code
 *  3b. The code is of an earlier generation than the ticket's (it was transferred since)
 *                                                                          → rejected/transferred
 *     (a newer generation than the facts know can only come from a scanner's stale cache: the
 *     signature proves the server issued it, so it is judged as the ticket's own code)
 *  4. The event is cancelled                                               → rejected/event_cancelled
 *  5. The ticket is void (refunded, expired, cancelled)                    → rejected/void
 *  6. The ticket is still pending (order not paid)                         → rejected/not_paid
 *  6b. Its holder (by name) or buyer (by e-mail) is on the venue's refused list → rejected/refused
 *     (also for a re-entry: someone listed during the night does not come back in)
 *  7. Outside [starts_at, ends_at), or the event was not open at `now`   → rejected/event_not_open
 *     (open = `scheduled`, or `completed` after `now`: an offline scan synced after the night
 *     ended is decided at its own time, so a GA code admitted at two doors is still one admitted
 *     and one conflict instead of two "door not open")
 *  8. The ticket's kind decides the rest:
 *     - kind = vip_host when it is a reservation's host ticket and that reservation is confirmed,
 *       checked_in or completed (the night is over, but an offline scan from before it ended is
 *       still the host's); vip_guest when it has an active guest link to such a reservation (a
 *       guest may enter before the host: only the table being paid matters); ga otherwise (also a
 *       guest of an unpaid or cancelled table, or an unlinked one).
 *     - status valid      → admitted; check the ticket in; a host also checks the reservation in.
 *     - status checked_in → ga: rejected/already_checked_in (a GA ticket admits once);
 *                           vip: reentry (any number of times); the reservation stays checked_in.
 *  9. A VIP admit/reentry carries a warning when the same code entered at another scanner within
 *     `reentryWarningSeconds` (either side of now: offline scans arrive late): the usual cause is
 *     a shared screenshot. It is a warning, not a refusal.
 */
import type { MessageKey } from '../i18n/catalogue.js';
import { translator, type Words } from '../i18n/translator.js';
import type { EventWindow } from './event-rules.js';
import type { ReservationStatus, TicketStatus } from './state-machine.js';

export type TicketKind = 'ga' | 'vip_host' | 'vip_guest';
export const scanResults = ['admitted', 'reentry', 'rejected'] as const;
export type ScanResult = (typeof scanResults)[number];
export const rejectReasons = [
  'invalid_code',
  'wrong_event',
  'event_cancelled',
  'void',
  'not_paid',
  'event_not_open',
  'already_checked_in',
  'refused',
  'transferred',
] as const;
export type RejectReason = (typeof rejectReasons)[number];

/** The reservation a ticket enters with: as its host, or through an active guest link. */
export interface TableLink {
  role: 'host' | 'guest';
  reservationId: string;
  reservationStatus: ReservationStatus;
  tableId: string;
  tableNumber: number;
  tier: string;
}

export interface TicketFacts {
  id: string;
  eventId: string;
  status: TicketStatus;
  checkedInAt: Date | null;
  firstScannerId: string | null;
  table: TableLink | null;
  /** Why the venue refuses this ticket's holder (the refused list), or null/absent. */
  refusedReason?: string | null;
  /** The generation of the ticket's current code (0, or absent, until it is transferred). */
  codeGeneration?: number;
}

/** A previous admitted/reentry scan of the same ticket. */
export interface EntryScan {
  scannerId: string;
  at: Date;
}

export interface CheckInInput {
  /**
   * The code's ids once its signature checked out; null when it did not (or did not parse).
   * `generation` absent: staff picked the ticket by name (its current holder, whatever the code).
   */
  code: { eventId: string; ticketId: string; generation?: number } | null;
  /** The event this scanner works; null means "the code's own event". */
  scannerEventId: string | null;
  /** `completedAt`: when a completed event really ended (scans dated before it were in the night). */
  event: (EventWindow & { completedAt?: Date | null }) | null;
  ticket: TicketFacts | null;
  recentEntries: readonly EntryScan[];
  scannerId: string;
  now: Date;
  reentryWarningSeconds: number;
}

export interface ReentryWarning {
  code: 'recent_entry_elsewhere';
  message: string;
  scanner_id: string;
  seconds_apart: number;
}

interface FirstEntry {
  /** The ticket was checked in before this scan. */
  alreadyCheckedIn: boolean;
  firstCheckedInAt: Date | null;
  firstScannerId: string | null;
}

export type CheckInDecision =
  | (FirstEntry & {
      result: 'admitted' | 'reentry';
      kind: TicketKind;
      /** valid → checked_in, stamped with this scan's time and scanner. */
      checkInTicket: boolean;
      /** The host's reservation goes confirmed → checked_in (the table shows `arrived`). */
      checkInReservation: boolean;
      warning: ReentryWarning | null;
    })
  | (FirstEntry & { result: 'rejected'; reason: RejectReason; kind: TicketKind | null });

const VIP_RESERVATION: readonly ReservationStatus[] = ['confirmed', 'checked_in', 'completed'];

export function ticketKind(ticket: Pick<TicketFacts, 'table'>): TicketKind {
  const t = ticket.table;
  if (!t || !VIP_RESERVATION.includes(t.reservationStatus)) return 'ga';
  return t.role === 'host' ? 'vip_host' : 'vip_guest';
}

/** Rules 1–2: what can be refused from the code alone, before any ticket row is read. */
export function screenCode(
  code: CheckInInput['code'],
  scannerEventId: string | null,
): 'invalid_code' | 'wrong_event' | null {
  if (!code) return 'invalid_code';
  if (scannerEventId !== null && code.eventId !== scannerEventId) return 'wrong_event';
  return null;
}

export function decideCheckIn(input: CheckInInput): CheckInDecision {
  const { ticket, event, now } = input;
  const screened = screenCode(input.code, input.scannerEventId);
  if (screened) return reject(screened, null);
  if (!ticket || !event || ticket.id !== input.code!.ticketId || ticket.eventId !== input.code!.eventId) {
    return reject('invalid_code', null);
  }
  const kind = ticketKind(ticket);
  const first: FirstEntry = {
    alreadyCheckedIn: ticket.status === 'checked_in',
    firstCheckedInAt: ticket.checkedInAt,
    firstScannerId: ticket.firstScannerId,
  };
  const generation = input.code!.generation;
  if (generation !== undefined && generation < (ticket.codeGeneration ?? 0)) return reject('transferred', kind, first);
  if (event.status === 'cancelled') return reject('event_cancelled', kind, first);
  if (ticket.status === 'void') return reject('void', kind, first);
  if (ticket.status === 'pending') return reject('not_paid', kind, first);
  if (ticket.refusedReason) return reject('refused', kind, first);
  const t = now.getTime();
  const openAt =
    event.status === 'scheduled' ||
    (event.status === 'completed' && !!event.completedAt && t < event.completedAt.getTime());
  if (!openAt || t < event.startsAt.getTime() || t >= event.endsAt.getTime()) {
    return reject('event_not_open', kind, first);
  }
  if (ticket.status === 'checked_in' && kind === 'ga') return reject('already_checked_in', kind, first);

  // Normally false on a re-entry; true only if a host ticket was ever checked in without its
  // reservation, which this brings back in line instead of leaving the table `reserved` all night.
  const checkInReservation = kind === 'vip_host' && ticket.table!.reservationStatus === 'confirmed';
  return {
    ...first,
    result: ticket.status === 'valid' ? 'admitted' : 'reentry',
    kind,
    checkInTicket: ticket.status === 'valid',
    checkInReservation,
    warning: kind === 'ga' ? null : reentryWarning(input),
  };
}

function reject(reason: RejectReason, kind: TicketKind | null, first?: FirstEntry): CheckInDecision {
  return {
    result: 'rejected',
    reason,
    kind,
    alreadyCheckedIn: first?.alreadyCheckedIn ?? false,
    firstCheckedInAt: first?.firstCheckedInAt ?? null,
    firstScannerId: first?.firstScannerId ?? null,
  };
}

function reentryWarning(input: CheckInInput): ReentryWarning | null {
  const windowMs = input.reentryWarningSeconds * 1000;
  if (windowMs <= 0) return null;
  let closest: { scannerId: string; apart: number } | null = null;
  for (const e of input.recentEntries) {
    if (e.scannerId === input.scannerId) continue;
    const apart = Math.abs(input.now.getTime() - e.at.getTime());
    if (apart <= windowMs && (!closest || apart < closest.apart)) closest = { scannerId: e.scannerId, apart };
  }
  if (!closest) return null;
  const seconds = Math.round(closest.apart / 1000);
  return {
    code: 'recent_entry_elsewhere',
    message: ENGLISH.say(recentEntryWords({ scanner_id: closest.scannerId, seconds_apart: seconds })),
    scanner_id: closest.scannerId,
    seconds_apart: seconds,
  };
}

/** "Also scanned at door-2 4 seconds apart: …" */
export const recentEntryWords = (w: { scanner_id: string; seconds_apart: number }): Words => ({
  key: 'door.recentEntryElsewhere',
  values: { scanner: w.scanner_id, seconds: w.seconds_apart },
});

/** The facts a door's line is worded from: the decision's, or a scan answer's (online or offline). */
export interface ScanFacts {
  result: ScanResult;
  reason: RejectReason | string | null;
  kind: TicketKind | null;
  table: Pick<TableLink, 'tableNumber' | 'tier'> | null;
  /** When and where it was first let in (already_checked_in), already formatted for the reader. */
  firstAt: string | null;
  firstScanner: string | null;
}

const REASON_KEYS: Record<RejectReason, MessageKey> = {
  invalid_code: 'door.reason.invalid_code',
  wrong_event: 'door.reason.wrong_event',
  event_cancelled: 'door.reason.event_cancelled',
  void: 'door.reason.void',
  not_paid: 'door.reason.not_paid',
  event_not_open: 'door.reason.event_not_open',
  refused: 'door.reason.refused',
  transferred: 'door.reason.transferred',
  already_checked_in: 'door.reason.already_checked_in',
};

/**
 * The line the scanner shows, as catalogue words (src/i18n): one source for the server's answers
 * (in English, `doorMessage`) and the scanner page online and offline (in the door's language).
 */
export function scanWords(f: ScanFacts): Words {
  if (f.result === 'rejected') {
    if (f.reason === 'already_checked_in')
      return {
        key: 'door.reason.already_checked_in',
        values: { at: f.firstAt ?? 'none', scanner: f.firstScanner ?? 'none' },
      };
    const key = f.reason && Object.hasOwn(REASON_KEYS, f.reason) ? REASON_KEYS[f.reason as RejectReason] : null;
    return { key: key ?? 'door.reason.unknown' };
  }
  const words: Words =
    f.kind === 'vip_host' && f.table
      ? { key: 'door.vipHost', values: { table: f.table.tableNumber, tier: f.table.tier } }
      : f.kind === 'vip_guest' && f.table
        ? { key: 'door.vipGuest', values: { table: f.table.tableNumber, tier: f.table.tier } }
        : { key: 'door.admitted' };
  return f.result === 'reentry' ? { key: 'door.reentrySuffix', values: { words } } : words;
}

const ENGLISH = translator('en');

/** A decision's words, with machine times (ISO 8601), as the API says them. */
export function decisionWords(d: CheckInDecision, table: Pick<TableLink, 'tableNumber' | 'tier'> | null): Words {
  return scanWords({
    result: d.result,
    reason: d.result === 'rejected' ? d.reason : null,
    kind: d.kind,
    table,
    firstAt: d.result === 'rejected' ? (d.firstCheckedInAt?.toISOString() ?? null) : null,
    firstScanner: d.result === 'rejected' ? (d.firstScannerId ?? null) : null,
  });
}

/** The API's line for a decision: in English (programs read the codes; people read the page). */
export const doorMessage = (d: CheckInDecision, table: Pick<TableLink, 'tableNumber' | 'tier'> | null): string =>
  ENGLISH.say(decisionWords(d, table));
