import { beforeAll } from 'vitest';

/**
 * Test files share worker processes (vitest.config.ts: isolate false), so a global one file leaves
 * behind reaches the next: a `window` makes the embedded database think it runs in a browser, a
 * stubbed `fetch` answers for a server long closed. Failures like that show up far from their
 * cause; this names it at the start of the next file instead.
 */
const shared = globalThis as typeof globalThis & { velvetFirstFetch?: typeof fetch };
shared.velvetFirstFetch ??= globalThis.fetch;

beforeAll(() => {
  const left = ['window', 'document', 'indexedDB'].filter((name) => name in globalThis);
  if (globalThis.fetch !== shared.velvetFirstFetch) left.push('fetch');
  if (left.length > 0)
    throw new Error(
      `an earlier test file in this worker left ${left.join(', ')} behind: stub globals with vi.stubGlobal and put them back with vi.unstubAllGlobals() in its afterAll`,
    );
});
