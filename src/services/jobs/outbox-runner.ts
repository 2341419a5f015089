import type { Database } from '../../db/database.js';

export interface OutboxRunnerOptions {
  /** What the log lines start with ("refunds", "mail"). */
  name: string;
  /** NOTIFY channel that announces new work. */
  channel: string;
  /** One pass of the outbox: claims, works and records a batch; returns how many it claimed. */
  processBatch: () => Promise<number>;
  /** How often an idle worker looks for due rows (retries come due without a notification). */
  pollMs: number;
  log: (msg: string) => void;
}

/**
 * Keeps an outbox table draining in this process: batch after batch while there is work, then
 * idle until a NOTIFY on `channel` or `pollMs` passes. Any number of instances may run one (claims
 * with SKIP LOCKED and leases keep them apart). Returns a stop function that lets the batch in
 * flight finish recording its results.
 */
export function startOutboxRunner(database: Pick<Database, 'listen'>, opts: OutboxRunnerOptions) {
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

  // New work wakes the worker at once; missed notifications (a lost connection) and a LISTEN that
  // could not start are covered by polling, and by waking once the connection is back.
  let unlisten: (() => Promise<void>) | undefined;
  let listenFailed = false;
  const ensureListening = async () => {
    if (unlisten) return;
    try {
      unlisten = await database.listen(
        opts.channel,
        () => wake?.(),
        () => wake?.(),
      );
      listenFailed = false;
    } catch (err) {
      if (!listenFailed) opts.log(`${opts.name}: cannot listen for new work yet, polling: ${(err as Error).message}`);
      listenFailed = true;
    }
  };

  const loop = async () => {
    try {
      while (!stopped) {
        await ensureListening();
        let claimed = 0;
        try {
          claimed = await opts.processBatch();
        } catch (err) {
          opts.log(`${opts.name}: ${(err as Error).message}`);
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
