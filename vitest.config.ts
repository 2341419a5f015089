import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SlowestFirst } from './test/support/slow-first-sequencer.js';

export default defineConfig({
  // The web app's own unit tests import the shared domain as the app does (web/tsconfig.json paths).
  resolve: { alias: { '@domain': fileURLToPath(new URL('./src/domain', import.meta.url)) } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
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
