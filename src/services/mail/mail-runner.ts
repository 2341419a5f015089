import { MAILS_CHANNEL } from '../../db/repos/mails.repo.js';
import type { AppDeps } from '../deps.js';
import { startOutboxRunner } from '../jobs/outbox-runner.js';
import { TokenBucket } from '../jobs/token-bucket.js';
import { processDueMails, type MailBatchOptions } from './mail-worker.service.js';

/** Keeps the mail outbox draining in this process; returns a stop function. */
export function startMailRunner(
  deps: Pick<AppDeps, 'database' | 'clock' | 'config' | 'keys' | 'wallets'>,
  opts: MailBatchOptions & { pollMs: number; log: (msg: string) => void },
) {
  const rate = opts.rate ?? new TokenBucket(deps.config.mailRatePerSecond);
  return startOutboxRunner(deps.database, {
    name: 'mail',
    channel: MAILS_CHANNEL,
    pollMs: opts.pollMs,
    log: opts.log,
    processBatch: () => processDueMails(deps, { ...opts, rate }),
  });
}
