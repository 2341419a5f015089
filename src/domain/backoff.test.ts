import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFUND_BACKOFF, retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  it('doubles per attempt between half and all of the ceiling', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('is capped, and stays within [ceiling/2, ceiling] for any attempt and any random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(REFUND_BACKOFF.capMs, REFUND_BACKOFF.baseMs * 2 ** Math.min(attempt - 1, 40));
        const d = retryDelayMs(attempt, r);
        return d >= ceiling / 2 && d <= ceiling && d <= REFUND_BACKOFF.capMs;
      }),
    );
    expect(retryDelayMs(100, 1)).toBe(REFUND_BACKOFF.capMs);
  });

  it('spreads retries with the random draw (jitter)', () => {
    const draws = [0, 0.25, 0.5, 0.75, 0.999].map((r) => retryDelayMs(5, r));
    expect(new Set(draws).size).toBe(draws.length);
  });
});
