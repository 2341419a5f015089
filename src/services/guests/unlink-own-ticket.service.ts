import type { AppDeps } from '../deps.js';
import { unlinkTicket, type UnlinkView } from './unlink.js';

/** `DELETE /tickets/:id/link`: a guest leaves the table before the event starts. Token checked by the caller. */
export async function unlinkOwnTicket(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  ticketId: string,
): Promise<UnlinkView> {
  const now = deps.clock.now();
  return deps.database.transaction((tx) => unlinkTicket(tx, now, { ticketId, actor: 'guest' }));
}
