export interface TimeSource {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTime: TimeSource = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket kept as one number (GCRA): `tat` is when the bucket would be full again. Each
 * take() reserves its slot synchronously, then waits for it, so concurrent callers are spaced
 * `1/rate` apart in call order and any window of T seconds sees at most `burst + rate·T` calls.
 * Per process: for one budget across processes, see SharedRateBudget (rate-budget.ts).
 */
export class TokenBucket {
  private tat = -Infinity;
  private readonly intervalMs: number;

  constructor(
    ratePerSecond: number,
    private readonly burst = 1,
    private readonly time: TimeSource = realTime,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('rate must be > 0 and burst >= 1');
    this.intervalMs = 1000 / ratePerSecond;
  }

  /** Resolves when the caller may make one request. */
  async take(): Promise<void> {
    const now = this.time.now();
    const tat = Math.max(this.tat, now);
    const allowedAt = tat - (this.burst - 1) * this.intervalMs;
    this.tat = tat + this.intervalMs;
    if (allowedAt > now) await this.time.sleep(allowedAt - now);
  }
}
