import { decideCheckIn, doorMessage, type CheckInDecision } from '@domain/check-in.js';
import { eventWindowFromCache, ticketFactsFromCache } from '@domain/scanner-cache.js';
import { parseTicketCode } from '@domain/ticket-code.js';
import type { ScanResponse } from './result.js';
import type { TicketCache } from './ticket-cache.js';
import type { Verify } from './verify.js';

export type ScanInput = { qr: string; ticketId?: undefined } | { ticketId: string; qr?: undefined };

export interface OfflineDecision {
  decision: CheckInDecision;
  /** The answer in the API's shape, so the door shows it exactly like a server answer. */
  response: ScanResponse;
}

/**
 * Decides a scan on this device, from the cache, with the very function the server runs
 * (src/domain/check-in.ts): the code's signature is checked with the event's public key, the
 * ticket's facts come from the cache, and this scanner's event is the cache's event.
 * The device knows only its own entries, so the shared-screenshot warning (two doors within
 * seconds) is left to the server when the scan syncs.
 */
export async function decideOffline(
  input: ScanInput,
  cache: TicketCache,
  verify: Verify,
  scannerId: string,
  now: Date,
): Promise<OfflineDecision> {
  const meta = cache.meta!;
  let code: { eventId: string; ticketId: string; generation?: number } | null = null;
  if (input.ticketId !== undefined) {
    code = { eventId: cache.eventId, ticketId: input.ticketId };
  } else {
    const parts = parseTicketCode(input.qr);
    if (parts && (await verify(parts.signed, parts.signature)))
      code = { eventId: parts.eventId, ticketId: parts.ticketId, generation: parts.generation };
  }
  const cached = code && code.eventId === cache.eventId ? cache.tickets.get(code.ticketId) : undefined;
  const ticket = cached ? ticketFactsFromCache(cache.eventId, cached) : null;
  const decision = decideCheckIn({
    code,
    scannerEventId: cache.eventId,
    event: eventWindowFromCache(meta.event),
    ticket,
    recentEntries: [],
    scannerId,
    now,
    reentryWarningSeconds: meta.reentryWarningSeconds,
  });
  const table = ticket?.table ?? null;
  const response: ScanResponse = {
    result: decision.result,
    message: doorMessage(decision, table),
    already_checked_in: decision.alreadyCheckedIn,
    scanner_id: scannerId,
    scanned_at: now.toISOString(),
    ticket: cached && decision.kind ? { id: cached.id, holder_name: cached.holder_name, kind: decision.kind } : null,
  };
  if (decision.result === 'rejected') {
    response.reason = decision.reason;
    if (decision.reason === 'refused' && cached?.refused) response.refusal = cached.refused;
  }
  if (decision.result !== 'rejected' && meta.event.min_age) response.id_check = meta.event.min_age;
  if (decision.firstCheckedInAt) response.first_checked_in_at = decision.firstCheckedInAt.toISOString();
  if (decision.firstScannerId) response.first_scanner_id = decision.firstScannerId;
  if (decision.result !== 'rejected' && decision.kind !== 'ga' && cached?.reservation) {
    const r = cached.reservation;
    // Guests as the cache knows them now; the engine refreshes the list once this entry is applied.
    response.vip = {
      reservation_id: r.id,
      table_number: r.table_number,
      tier: r.tier,
      role: r.role,
      host_name: r.host_name,
      guests: cache.guestsOf(r.id),
    };
  }
  return { decision, response };
}
