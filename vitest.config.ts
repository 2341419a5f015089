import { defineConfig } from 'vitest/config';
import { SlowestFirst } from './test/support/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // Two cores; on PostgreSQL each file also opens its own connection pool.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    // Browser tests wait for what a page shows; on a loaded 2-core machine that can take seconds.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    sequence: { sequencer: SlowestFirst },
  },
});
