import type { AppDeps } from '../deps.js';
import { unlinkTicket, type UnlinkView } from './unlink.js';

/**
 * `DELETE /reservations/:id/guests/:ticket_id`: the purchaser removes a guest before the event
 * starts. The caller has checked the reservation's order token.
 */
export async function removeGuest(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  input: { reservationId: string; ticketId: string },
): Promise<UnlinkView> {
  const now = deps.clock.now();
  return deps.database.transaction((tx) =>
    unlinkTicket(tx, now, { ticketId: input.ticketId, reservationId: input.reservationId, actor: 'purchaser' }),
  );
}
