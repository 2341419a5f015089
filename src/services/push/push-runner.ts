import { PUSHES_CHANNEL } from '../../db/repos/pushes.repo.js';
import type { AppDeps } from '../deps.js';
import { startOutboxRunner } from '../jobs/outbox-runner.js';
import { TokenBucket } from '../jobs/token-bucket.js';
import { processDuePushes, type PushBatchOptions } from './push-worker.service.js';

/** Keeps the push outbox draining in this process; returns a stop function. */
export function startPushRunner(
  deps: Pick<AppDeps, 'database' | 'clock' | 'config' | 'keys'>,
  opts: PushBatchOptions & { pollMs: number; log: (msg: string) => void },
) {
  const rate = opts.rate ?? new TokenBucket(deps.config.push.ratePerSecond);
  return startOutboxRunner(deps.database, {
    name: 'push',
    channel: PUSHES_CHANNEL,
    pollMs: opts.pollMs,
    log: opts.log,
    processBatch: () => processDuePushes(deps, { ...opts, rate }),
  });
}
