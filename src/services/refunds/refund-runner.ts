import { REFUNDS_CHANNEL } from '../../db/repos/refunds.repo.js';
import type { AppDeps } from '../deps.js';
import { processDueRefunds, type RefundBatchOptions } from './refund-worker.service.js';
import { TokenBucket } from './token-bucket.js';

export interface RefundRunnerOptions extends Omit<RefundBatchOptions, 'limiter'> {
  ratePerSecond: number;
  /** How often an idle worker looks for due refunds (retries come due without a notification). */
  pollMs: number;
  log: (msg: string) => void;
}

/**
 * Keeps the refund outbox draining in this process: batch after batch while there is work, then
 * idle until a new cancellation notifies REFUNDS_CHANNEL or `pollMs` passes. Any number of
 * instances may run one; claims keep them apart. Returns a stop function that lets the batch in
 * flight finish recording its results.
 */
export function startRefundRunner(deps: Pick<AppDeps, 'database' | 'clock' | 'payments'>, opts: RefundRunnerOptions) {
  const limiter = new TokenBucket(opts.ratePerSecond);
  let stopped = false;
  let wake: (() => void) | undefined;
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  // New refunds wake the worker at once; missed notifications (a lost connection) and a LISTEN
  // that could not start are covered by polling, and by waking once the connection is back.
  let unlisten: (() => Promise<void>) | undefined;
  let listenFailed = false;
  const ensureListening = async () => {
    if (unlisten) return;
    try {
      unlisten = await deps.database.listen(REFUNDS_CHANNEL, () => wake?.(), () => wake?.());
      listenFailed = false;
    } catch (err) {
      if (!listenFailed) opts.log(`refunds: cannot listen for new refunds yet, polling: ${(err as Error).message}`);
      listenFailed = true;
    }
  };

  const loop = async () => {
    try {
      while (!stopped) {
        await ensureListening();
        let claimed = 0;
        try {
          claimed = await processDueRefunds(deps, { ...opts, limiter });
        } catch (err) {
          opts.log(`refunds: ${(err as Error).message}`);
        }
        if (claimed === 0 && !stopped) await idle(opts.pollMs);
      }
    } finally {
      await unlisten?.();
    }
  };
  const running = loop();

  return async () => {
    stopped = true;
    wake?.();
    await running;
  };
}
