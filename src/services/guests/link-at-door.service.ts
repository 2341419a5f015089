import type { AppDeps } from '../deps.js';
import { linkTicket, runLink, type LinkView } from './link.js';

/**
 * `POST /reservations/:id/guests`: staff (or the owner) put a ticket on a table's guest list at the
 * door, before or during the event. Past capacity only with `overrideCapacity`; such a link is
 * stored with `override_capacity` and the account that made it.
 */
export async function linkAtDoor(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  input: { reservationId: string; ticketId: string; userId: string; overrideCapacity: boolean },
): Promise<LinkView> {
  const now = deps.clock.now();
  return runLink(deps, (tx) =>
    linkTicket(tx, now, {
      ticketId: input.ticketId,
      reservationId: input.reservationId,
      actor: 'staff',
      userId: input.userId,
      overrideCapacity: input.overrideCapacity,
    }),
  );
}
