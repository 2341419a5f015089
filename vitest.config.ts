import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SlowestFirst } from './test/support/slow-first-sequencer.js';

export default defineConfig({
  // The web app's own unit tests import the shared domain as the app does (web/tsconfig.json paths).
  resolve: {
    alias: {
      '@domain': fileURLToPath(new URL('./src/domain', import.meta.url)),
      '@i18n': fileURLToPath(new URL('./src/i18n', import.meta.url)),
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    pool: 'forks',
    // Files share their worker process and its loaded modules: importing the server's module graph
    // (~1-2 s of a 2-core machine) once per worker instead of once per file is about a fifth of the
    // suite. Each file still builds its own app and database; a file that changes globals or
    // mocks modules puts them back in its afterAll, and the guard below names one that did not.
    isolate: false,
    setupFiles: ['test/support/shared-worker-guard.ts'],
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
