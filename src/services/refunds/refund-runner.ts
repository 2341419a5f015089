import { REFUNDS_CHANNEL } from '../../db/repos/refunds.repo.js';
import type { AppDeps } from '../deps.js';
import { startOutboxRunner } from '../jobs/outbox-runner.js';
import { processDueRefunds, type RefundBatchOptions } from './refund-worker.service.js';
import { SharedRateBudget } from '../jobs/rate-budget.js';
import { TokenBucket } from '../jobs/token-bucket.js';

export interface RefundRunnerOptions extends Omit<RefundBatchOptions, 'limiter'> {
  ratePerSecond: number;
  /** How often an idle worker looks for due refunds (retries come due without a notification). */
  pollMs: number;
  log: (msg: string) => void;
}

/**
 * Keeps the refund outbox draining in this process; returns a stop function. The provider's rate
 * limit is one budget for every process on the database (PostgreSQL: several instances may run);
 * the embedded database has one process, which keeps the budget in memory.
 */
export function startRefundRunner(deps: Pick<AppDeps, 'database' | 'clock' | 'payments'>, opts: RefundRunnerOptions) {
  const limiter =
    deps.database.kind === 'postgres'
      ? new SharedRateBudget(deps.database, `refunds:${deps.payments.name}`, opts.ratePerSecond)
      : new TokenBucket(opts.ratePerSecond);
  return startOutboxRunner(deps.database, {
    name: 'refunds',
    channel: REFUNDS_CHANNEL,
    pollMs: opts.pollMs,
    log: opts.log,
    processBatch: () => processDueRefunds(deps, { ...opts, limiter }),
  });
}
