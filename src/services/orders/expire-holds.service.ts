import { claimExpiredHolds } from '../../db/repos/orders.repo.js';
import type { AppDeps } from '../deps.js';
import { releaseHold } from './hold.js';

/**
 * One sweep: releases up to `batch` lapsed holds. Rows are claimed with SKIP LOCKED, so several
 * instances sweep side by side without waiting on (or double-releasing) each other's rows, and a
 * hold being paid right now (its order row locked) is left for the payment to settle.
 */
export async function expireHolds(deps: Pick<AppDeps, 'database' | 'clock'>, batch = 100): Promise<number> {
  return deps.database.transaction(async (tx) => {
    const due = await claimExpiredHolds(tx, deps.clock.now(), batch);
    for (const order of due) await releaseHold(tx, order);
    return due.length;
  });
}
