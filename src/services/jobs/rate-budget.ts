import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/database.js';
import { realTime, type TimeSource } from './token-bucket.js';

/** What the outbox workers wait on before each call to a rate-limited provider. */
export interface RateLimiter {
  take(): Promise<unknown>;
}

/**
 * A rate limit shared by every process on one database: the same GCRA as TokenBucket (burst 1),
 * with its one number (`tat`, when the bucket is next free) in a row of `rate_budgets` instead of
 * in memory. Each take() moves `tat` forward by one interval in a single UPDATE, which hands out
 * slots in the order the row lock grants them, and waits for its slot: N processes together make
 * at most `rate` calls a second, not N times it. The database's clock is the only clock involved.
 * Cost: one statement per call (a provider call takes far longer).
 */
export class SharedRateBudget implements RateLimiter {
  private readonly intervalMs: number;

  constructor(
    private readonly database: Pick<Database, 'db'>,
    private readonly name: string,
    ratePerSecond: number,
    private readonly time: TimeSource = realTime,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('rate must be > 0');
    this.intervalMs = 1000 / ratePerSecond;
  }

  /** Waits for this caller's slot; returns the slot (database time, ms since the epoch). */
  async take(): Promise<number> {
    const step = sql`make_interval(secs => ${this.intervalMs / 1000})`;
    const [row] = await queryRows<{ slot_ms: number; wait_ms: number }>(
      this.database.db,
      sql`
      INSERT INTO rate_budgets AS b (name, tat) VALUES (${this.name}, clock_timestamp() + ${step})
      ON CONFLICT (name) DO UPDATE SET tat = greatest(b.tat, clock_timestamp()) + ${step}
      RETURNING extract(epoch FROM tat - ${step})::float8 * 1000 AS slot_ms,
                extract(epoch FROM (tat - ${step}) - clock_timestamp())::float8 * 1000 AS wait_ms`,
    );
    if (row!.wait_ms > 0) await this.time.sleep(row!.wait_ms);
    return row!.slot_ms;
  }
}
