import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { pgInternalsProblems } from '../src/db/pg-internals.js';
import { pgliteInternalsProblems } from '../src/db/pglite-internals.js';
import { onPostgres } from './support/database.js';

/**
 * The database drivers' internals Velvet patches or calls (src/db/pg-internals.ts,
 * src/db/pglite-internals.ts) are still there. After an upgrade this is the test that says, in
 * words, which one went away, before any flight or count quietly breaks. The drivers are pinned to
 * exact versions so an upgrade is always a deliberate change that runs it.
 */
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };

describe('database driver internals', () => {
  it('pg and PGlite are pinned to exact versions', () => {
    expect(manifest.dependencies.pg).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.dependencies['@electric-sql/pglite']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('PGlite still has what the prepared hot paths and the statement count use, and the check notices one that does not', async () => {
    const client = await PGlite.create();
    try {
      expect(pgliteInternalsProblems(client)).toEqual([]);
      const stripped = Object.create(client, { execProtocolStream: { value: undefined } }) as PGlite;
      expect(pgliteInternalsProblems(stripped)).toEqual(['PGlite has no execProtocolStream()']);
    } finally {
      await client.close();
    }
  });

  it.runIf(onPostgres)(
    'pg still has the socket, query, release and pipeline the flights and the gate use',
    async () => {
      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1, pipeline: true } as pg.PoolConfig);
      const client = await pool.connect();
      try {
        expect(pgInternalsProblems(client)).toEqual([]);
        // And a client without them is noticed, in words.
        const stripped = Object.create(client, { connection: { value: {} }, pipeline: { value: false } });
        expect(pgInternalsProblems(stripped)).toEqual([
          'client.connection.stream has no cork()/uncork(): flights cannot be sent in one write',
          'the client ignored `pipeline: true`: each flight would cost a round trip per statement',
        ]);
      } finally {
        client.release();
        await pool.end();
      }
    },
  );
});
