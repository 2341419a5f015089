import { findEvent } from '../../db/repos/events.repo.js';
import { notifyRefundsDue, requeueFailedRefunds } from '../../db/repos/refunds.repo.js';
import { notFound } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { listRefunds, type RefundsView } from './list-refunds.service.js';

/**
 * `POST /events/:id/refunds/retry`: the owner sends the event's failed refunds through the outbox
 * again (after fixing what made the provider refuse, e.g. funds on the account), under a new round
 * of their idempotency key (requeueFailedRefunds says why that cannot pay twice).
 */
export async function retryFailedRefunds(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  eventId: string,
): Promise<RefundsView & { requeued: number }> {
  const requeued = await deps.database.transaction(async (tx) => {
    if (!(await findEvent(tx, eventId))) throw notFound('event');
    const n = await requeueFailedRefunds(tx, eventId, deps.clock.now());
    if (n) await notifyRefundsDue(tx);
    return n;
  });
  return { ...(await listRefunds(deps, eventId)), requeued };
}
