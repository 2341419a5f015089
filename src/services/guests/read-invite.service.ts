import { findEvent } from '../../db/repos/events.repo.js';
import { findReservationByInviteCode } from '../../db/repos/guest-list.repo.js';
import { DomainError } from '../../domain/errors.js';
import { hasStarted } from '../../domain/event-rules.js';
import { normalizeInviteCode } from '../../domain/invite-code.js';
import type { AppDeps } from '../deps.js';
import { loadReservationView, type ReservationView } from '../reservations/reservation-view.js';
import type { EventRow } from '../../db/repos/events.repo.js';

export interface InviteView {
  invite_code: string;
  event_id: string;
  event_name: string;
  starts_at: string;
  /** The venue's time zone (VELVET_TIME_ZONE): the pages show the night's times in it. */
  time_zone: string;
  event_status: EventRow['status'];
  table_number: number;
  tier: string;
  /** The host's first name only: enough for a guest to know whose table it is. */
  host_first_name: string;
  guest_places: number;
  guests_linked: number;
  reservation_status: ReservationView['status'];
  /** Why no guest can link now, if so: the same codes linking would answer. */
  closed_reason: 'event_cancelled' | 'event_ended' | 'reservation_not_active' | 'guest_list_locked' | null;
}

/**
 * `GET /invites/:code`: what the invite page shows before a guest links: whose table, at which
 * night, and whether it still takes guests. Anyone holding the code may read it (the host shared
 * it); guessing codes is slowed per address, and a code is 40 random bits.
 */
export async function readInvite(
  deps: Pick<AppDeps, 'database' | 'clock' | 'config'>,
  rawCode: string,
): Promise<InviteView> {
  const db = deps.database.db;
  const code = normalizeInviteCode(rawCode);
  const reservation = code ? await findReservationByInviteCode(db, code) : null;
  if (!code || !reservation)
    throw new DomainError('invalid_invite', 'No table has this invite code; check it with the host');
  const event = await findEvent(db, reservation.eventId);
  const view = await loadReservationView(db, reservation.id, deps.config.publicUrl);
  if (!event || !view) throw new DomainError('invalid_invite', 'No table has this invite code; check it with the host');
  const now = deps.clock.now();
  const active = view.status === 'confirmed' || view.status === 'checked_in' || view.status === 'pending';
  const closed: InviteView['closed_reason'] =
    event.status === 'cancelled'
      ? 'event_cancelled'
      : event.status === 'completed' || now >= event.endsAt
        ? 'event_ended'
        : !active
          ? 'reservation_not_active'
          : hasStarted(event, now)
            ? 'guest_list_locked'
            : null;
  return {
    invite_code: code,
    event_id: event.id,
    event_name: event.name,
    starts_at: event.startsAt.toISOString(),
    time_zone: deps.config.timeZone,
    event_status: event.status,
    table_number: view.table_number,
    tier: view.tier,
    host_first_name: view.host_name.trim().split(/\s+/)[0] ?? '',
    guest_places: view.capacity - 1,
    guests_linked: view.guests.length,
    reservation_status: view.status,
    closed_reason: closed,
  };
}
