import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { SharedRateBudget } from '../src/services/jobs/rate-budget.js';
import { createScratchDatabase, onPostgres, openTestDatabase } from './support/database.js';

/**
 * The provider's rate limit is one budget for all Velvet processes on a database. Two handles with
 * their own pools stand for two processes (PostgreSQL); PGlite has one. Workers on both race for
 * slots; the slots the database hands out must be one interval apart, whoever asked.
 */
let a: Database;
let b: Database;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (onPostgres) {
    const scratch = await createScratchDatabase();
    drop = scratch.drop;
    a = await openPostgres(scratch.url, { max: 8 });
    b = await openPostgres(scratch.url, { max: 8 });
  } else {
    a = b = await openTestDatabase();
  }
});
afterAll(async () => {
  await a.close();
  if (b !== a) await b.close();
  await drop?.();
});

// Slots are handed out by the database; the waits themselves are skipped (only the slots matter).
const noWait = { now: () => 0, sleep: async () => {} };

describe('a rate budget shared by every process on the database', () => {
  it('gives out slots 1/rate apart to workers of two processes racing for them', async () => {
    const rate = 200;
    const budgets = [
      new SharedRateBudget(a, 'refunds:test', rate, noWait),
      new SharedRateBudget(b, 'refunds:test', rate, noWait),
    ];
    const slots: number[] = [];
    // 8 workers per process, 10 calls each: 160 slots, taken as fast as the database answers.
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 10; i++) slots.push(await budgets[w % 2]!.take());
      }),
    );
    slots.sort((x, y) => x - y);
    expect(slots).toHaveLength(160);
    const gaps = slots.slice(1).map((s, i) => s - slots[i]!);
    // 5 ms apart (rate 200/s), up to the microsecond rounding of timestamptz.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000 / rate - 0.002);
    // So any second holds at most `rate` calls, however many processes ask.
    for (const [i, s] of slots.entries())
      expect(slots.filter((t) => t >= s && t < s + 1000).length, `from slot ${i}`).toBeLessThanOrEqual(rate);
  });

  it('keeps separate budgets apart', async () => {
    const x = new SharedRateBudget(a, 'refunds:x', 10, noWait);
    const y = new SharedRateBudget(b, 'refunds:y', 10, noWait);
    const [x1, y1] = [await x.take(), await y.take()];
    // A fresh budget's first slot is now, not behind the other budget's queue.
    expect(Math.abs(x1 - y1)).toBeLessThan(1000);
  });
});
