/**
 * The scanner cache's wire format and its reading back into the decision's facts. The server
 * writes it (GET /events/:id/scanner-cache) and the offline scanner page reads it with this same
 * file, then runs `decideCheckIn` exactly as the server does.
 */
import { ticketKind, type TicketFacts, type TicketKind } from './check-in.js';
import type { EventStatus, ReservationStatus, TicketStatus } from './state-machine.js';

export interface CachedEvent {
  id: string;
  name: string;
  status: EventStatus;
  starts_at: string;
  ends_at: string;
  /** 18 or 21: every admission shows an ID check (absent or null: no minimum). */
  min_age?: number | null;
}

export interface CachedTicket {
  id: string;
  holder_name: string;
  kind: TicketKind;
  status: TicketStatus;
  checked_in_at?: string;
  first_scanner_id?: string;
  /** The buyer's e-mail: door staff find a guest whose phone died by it. */
  email?: string;
  /** The holder is on the venue's refused list: why (the door refuses the ticket, offline too). */
  refused?: string;
  /** The generation of the ticket's current code, when it was transferred (earlier codes are refused). */
  code_generation?: number;
  /** The table the ticket enters with (as host or linked guest), also when that table is not paid. */
  reservation?: {
    id: string;
    status: ReservationStatus;
    role: 'host' | 'guest';
    table_id: string;
    table_number: number;
    tier: string;
    host_name: string;
  };
}

export function toCachedTicket(
  t: TicketFacts & { holderName: string; hostName: string | null; email?: string | null },
): CachedTicket {
  const out: CachedTicket = { id: t.id, holder_name: t.holderName, kind: ticketKind(t), status: t.status };
  if (t.email) out.email = t.email;
  if (t.refusedReason) out.refused = t.refusedReason;
  if (t.codeGeneration) out.code_generation = t.codeGeneration;
  if (t.checkedInAt) out.checked_in_at = t.checkedInAt.toISOString();
  if (t.firstScannerId) out.first_scanner_id = t.firstScannerId;
  if (t.table) {
    out.reservation = {
      id: t.table.reservationId,
      status: t.table.reservationStatus,
      role: t.table.role,
      table_id: t.table.tableId,
      table_number: t.table.tableNumber,
      tier: t.table.tier,
      host_name: t.hostName ?? '',
    };
  }
  return out;
}

export function ticketFactsFromCache(eventId: string, c: CachedTicket): TicketFacts {
  const r = c.reservation;
  return {
    id: c.id,
    eventId,
    status: c.status,
    checkedInAt: c.checked_in_at ? new Date(c.checked_in_at) : null,
    firstScannerId: c.first_scanner_id ?? null,
    refusedReason: c.refused ?? null,
    codeGeneration: c.code_generation ?? 0,
    table: r
      ? {
          role: r.role,
          reservationId: r.id,
          reservationStatus: r.status,
          tableId: r.table_id,
          tableNumber: r.table_number,
          tier: r.tier,
        }
      : null,
  };
}

export function eventWindowFromCache(e: CachedEvent) {
  return { status: e.status, startsAt: new Date(e.starts_at), endsAt: new Date(e.ends_at) };
}
