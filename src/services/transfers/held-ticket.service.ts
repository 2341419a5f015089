import { doorTickets } from '../../db/repos/door.repo.js';
import { findTicket } from '../../db/repos/tickets.repo.js';
import { notFound } from '../../domain/errors.js';
import type { TicketStatus } from '../../domain/state-machine.js';
import type { AppDeps } from '../deps.js';

/** A ticket as whoever holds it sees it: after a transfer, the new holder through their own link. */
export interface HeldTicketView {
  id: string;
  event_id: string;
  status: TicketStatus;
  qr: string | null;
  holder_name: string;
  linked_reservation_id: string | null;
  table: { table_number: number; tier: string; host_name: string } | null;
  is_host: boolean;
}

/** The caller has checked who is asking (auth.ts `requireTicketAccess`). */
export async function getHeldTicketView(deps: Pick<AppDeps, 'database'>, ticketId: string): Promise<HeldTicketView> {
  const db = deps.database.db;
  const ticket = await findTicket(db, ticketId);
  const [door] = ticket ? await doorTickets(db, { ticketId }) : [];
  if (!ticket || !door) throw notFound('ticket');
  const table = door.table;
  return {
    id: ticket.id,
    event_id: ticket.eventId,
    status: ticket.status,
    // Only a paid ticket has a code to show; a void one's no longer admits anyone.
    qr: ticket.status === 'valid' || ticket.status === 'checked_in' ? ticket.qr : null,
    holder_name: ticket.holderName,
    linked_reservation_id: table?.role === 'guest' ? table.reservationId : null,
    table: table ? { table_number: table.tableNumber, tier: table.tier, host_name: door.hostName ?? '' } : null,
    is_host: table?.role === 'host',
  };
}
