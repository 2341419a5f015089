import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import lockfile from 'proper-lockfile';
import { withRetry, type Database, type Db } from './database.js';
import { migrationsConfig } from './migrate.js';
import * as schema from './schema.js';

export class DataDirLockedError extends Error {
  constructor(dir: string) {
    super(`Another Velvet process is using the data directory ${dir}. Stop it first, or set VELVET_DATA_DIR to another directory.`);
    this.name = 'DataDirLockedError';
  }
}

/** PGlite in memory: each call is a fresh, migrated, private database (used by tests). */
export async function openMemoryPglite(): Promise<Database> {
  const client = await PGlite.create();
  return wrap(client, async () => client.close());
}

/**
 * PGlite on disk. Two processes on one directory would silently lose writes, so the directory is
 * locked for the life of the process. A new database is built in a temporary directory and renamed
 * into place only once migrated: a crash half-way leaves nothing that looks like a database.
 */
export async function openPgliteDir(dataDir: string): Promise<Database> {
  const dir = resolve(dataDir);
  mkdirSync(dirname(dir), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, {
      realpath: false,
      lockfilePath: `${dir}.lock`,
      stale: 15_000,
      update: 5_000,
      onCompromised: (err) => {
        console.error(`velvet: lost the lock on ${dir}: ${err.message}`);
        process.exit(1);
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOCKED') throw new DataDirLockedError(dir);
    throw err;
  }
  try {
    if (!existsSync(dir)) await createAtomically(dir);
    const client = await PGlite.create(dir);
    return await wrap(client, async () => {
      await client.exec('CHECKPOINT');
      await client.close();
      await release();
    });
  } catch (err) {
    await release();
    throw err;
  }
}

async function createAtomically(dir: string): Promise<void> {
  const tmp = `${dir}.creating`;
  rmSync(tmp, { recursive: true, force: true });
  const client = await PGlite.create(tmp);
  await migrate(drizzle(client, { schema }), migrationsConfig);
  await client.exec('CHECKPOINT');
  await client.close();
  renameSync(tmp, dir);
}

async function wrap(client: PGlite, close: () => Promise<void>): Promise<Database> {
  const db = drizzle(client, { schema }) as unknown as Db;
  const stats = { retried: 0 };
  await migrate(drizzle(client, { schema }), migrationsConfig);
  return {
    kind: 'pglite',
    db,
    // PGlite has one connection: its transactions already run one at a time.
    transaction: (fn) => withRetry(() => db.transaction(fn), () => stats.retried++),
    stats,
    // In process, one connection: a notification can never be missed, so nothing to catch up on.
    listen: async (channel, onPayload) => {
      const unlisten = await client.listen(channel, onPayload);
      return async () => unlisten();
    },
    ping: async () => {
      await client.query('SELECT 1');
    },
    close,
  };
}
