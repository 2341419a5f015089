import { REFUNDS_CHANNEL } from '../../db/repos/refunds.repo.js';
import type { AppDeps } from '../deps.js';
import { startOutboxRunner } from '../jobs/outbox-runner.js';
import { processDueRefunds, type RefundBatchOptions } from './refund-worker.service.js';
import { TokenBucket } from '../jobs/token-bucket.js';

export interface RefundRunnerOptions extends Omit<RefundBatchOptions, 'limiter'> {
  ratePerSecond: number;
  /** How often an idle worker looks for due refunds (retries come due without a notification). */
  pollMs: number;
  log: (msg: string) => void;
}

/** Keeps the refund outbox draining in this process, paced by one rate limiter; returns a stop function. */
export function startRefundRunner(deps: Pick<AppDeps, 'database' | 'clock' | 'payments'>, opts: RefundRunnerOptions) {
  const limiter = new TokenBucket(opts.ratePerSecond);
  return startOutboxRunner(deps.database, {
    name: 'refunds',
    channel: REFUNDS_CHANNEL,
    pollMs: opts.pollMs,
    log: opts.log,
    processBatch: () => processDueRefunds(deps, { ...opts, limiter }),
  });
}
