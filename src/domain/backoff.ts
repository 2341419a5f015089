export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const REFUND_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 15 * 60_000 };

/**
 * Exponential backoff with "equal jitter": attempt n waits between half and all of base·2^(n-1)
 * (capped). The random half spreads retries from many workers apart after a shared outage or
 * rate-limit burst; the fixed half guarantees each retry really backs off. `random` is in [0, 1).
 */
export function retryDelayMs(attempt: number, random: number, policy: BackoffPolicy = REFUND_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempt));
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(n - 1, 40));
  return Math.round(ceiling / 2 + (Math.min(Math.max(random, 0), 1) * ceiling) / 2);
}
