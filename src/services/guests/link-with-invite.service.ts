import { findReservationByInviteCode } from '../../db/repos/guest-list.repo.js';
import { DomainError } from '../../domain/errors.js';
import { normalizeInviteCode } from '../../domain/invite-code.js';
import type { AppDeps } from '../deps.js';
import { linkTicket, runLink, type LinkView } from './link.js';

/**
 * `POST /tickets/:id/link {invite_code}`: a guest puts their own ticket on a table's guest list
 * with the table's invite code, until the event starts. The caller has checked the ticket's token.
 */
export async function linkWithInvite(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  input: { ticketId: string; inviteCode: string },
): Promise<LinkView> {
  const code = normalizeInviteCode(input.inviteCode);
  if (!code) throw invalidInvite();
  const now = deps.clock.now();
  return runLink(deps, async (tx) => {
    const reservation = await findReservationByInviteCode(tx, code);
    if (!reservation) throw invalidInvite();
    return linkTicket(tx, now, {
      ticketId: input.ticketId,
      reservationId: reservation.id,
      actor: 'guest',
      userId: null,
      overrideCapacity: false,
    });
  });
}

const invalidInvite = () => new DomainError('invalid_invite', 'No table has this invite code; check it with the host');
