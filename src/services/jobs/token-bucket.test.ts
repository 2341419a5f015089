import { describe, expect, it } from 'vitest';
import { TokenBucket, type TimeSource } from './token-bucket.js';

/** Virtual time: sleep() moves the clock instead of waiting. */
function virtualTime(): TimeSource & { t: number } {
  const time = {
    t: 0,
    now: () => time.t,
    sleep: async (ms: number) => {
      time.t += ms;
    },
  };
  return time;
}

describe('TokenBucket', () => {
  it('spaces calls 1/rate apart', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket(25, 1, time);
    const granted: number[] = [];
    for (let i = 0; i < 50; i++) {
      await bucket.take();
      granted.push(time.t);
    }
    expect(granted[0]).toBe(0);
    expect(granted[49]).toBeCloseTo(49 * 40, 6);
    for (let i = 1; i < 50; i++) expect(granted[i]! - granted[i - 1]!).toBeCloseTo(40, 6);
  });

  it('allows a burst up to its size, then the rate', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket(10, 5, time);
    const granted: number[] = [];
    for (let i = 0; i < 8; i++) {
      await bucket.take();
      granted.push(time.t);
    }
    expect(granted.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(granted.slice(5).map((t) => Math.round(t))).toEqual([100, 200, 300]);
  });

  it('refills while idle, but never beyond its size', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket(10, 2, time);
    await bucket.take();
    await bucket.take();
    time.t = 10_000; // a long pause
    const at: number[] = [];
    for (let i = 0; i < 3; i++) {
      await bucket.take();
      at.push(time.t);
    }
    expect(at).toEqual([10_000, 10_000, 10_100]);
  });

  it('refuses a nonsensical rate', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});
