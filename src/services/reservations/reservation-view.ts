import type { ReservationStatus } from '../../domain/state-machine.js';
import type { Executor } from '../../db/database.js';
import { reservationDetails, type ReservationDetails } from '../../db/repos/reservations.repo.js';

export interface ReservationView {
  id: string;
  event_id: string;
  status: ReservationStatus;
  no_show: boolean;
  table_id: string;
  table_number: number;
  tier: string;
  capacity: number;
  host_name: string;
  host_arrived: boolean;
  invite_code: string;
  invite_url: string;
  /** The host lets linked guests pass their place on with their ticket. */
  guests_may_transfer: boolean;
  guests: Array<{ ticket_id: string; name: string; arrived: boolean }>;
}

export function toReservationView(d: ReservationDetails, publicUrl: string): ReservationView {
  const r = d.reservation;
  return {
    id: r.id,
    event_id: r.eventId,
    status: r.status,
    no_show: r.noShow,
    table_id: r.eventTableId,
    table_number: d.tableNumber,
    tier: d.tier,
    capacity: d.tierCapacity,
    host_name: d.hostName,
    host_arrived: r.checkedInAt !== null,
    invite_code: r.inviteCode,
    invite_url: `${publicUrl}/i/${r.inviteCode}`,
    guests_may_transfer: r.guestsMayTransfer,
    guests: d.guests.map((g) => ({ ticket_id: g.ticketId, name: g.name, arrived: g.arrived })),
  };
}

export async function loadReservationView(
  db: Executor,
  id: string,
  publicUrl: string,
): Promise<ReservationView | null> {
  const d = await reservationDetails(db, id);
  return d ? toReservationView(d, publicUrl) : null;
}
