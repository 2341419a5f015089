import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { inProcessExclusive, newStats, withRetry, type Database, type DatabaseSource, type Db } from './database.js';
import { lockDataDir, realDir } from './dir-lock.js';
import { runFlights } from './flights.js';
import { migrationsConfig } from './migrate.js';
import { PglitePrepared } from './pglite-prepared.js';
import * as schema from './schema.js';
import { countQueries, pgliteInternalsProblems } from './pglite-internals.js';

/**
 * PGlite's own default keeps 160 MB of shared buffers resident in the process from the start. The
 * embedded database is a small club's (thousands of tickets, not millions) and its files are in
 * the operating system's page cache anyway, so 32 MB holds its working set; the server's
 * resident memory drops by ~110 MB (BENCHMARKS.md). Set on the command line, after PGlite's own
 * parameters: its `postgresqlconf` option would overwrite the data directory's postgresql.conf.
 *
 * The embedded database's files are the server's own file descriptors, and every table and index
 * it touched stayed open (over 110 with 22 migrations' worth of them): they ate into what the
 * connection caps leave for sockets (config.ts keeps 128 descriptors for everything else), so a
 * full room of live views met resets instead of a clear 503. `max_files_per_process` bounds them
 * (PostgreSQL closes the least recently used beyond it), within that reserve.
 */
const EMBEDDED_SETTINGS = {
  startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB', '-c', 'max_files_per_process=96'],
};

/** PGlite in memory: each call is a fresh, migrated, private database (used by tests). */
export async function openMemoryPglite(opts: { from?: Blob } = {}): Promise<Database> {
  // `from`: a migrated database's files (dumpDataDir), so a test need not migrate again.
  const client = await PGlite.create(opts.from ? { loadDataDir: opts.from } : {});
  return wrap(client, null, async () => client.close());
}

/**
 * PGlite on disk. Two processes on one directory would silently lose writes, so the directory is
 * locked for the life of the process (dir-lock.ts). A new database is built in a temporary directory and renamed
 * into place only once migrated: a crash half-way leaves nothing that looks like a database.
 */
export async function openPgliteDir(
  dataDir: string,
  opts: { beforeMigrating?: BeforeMigrating } = {},
): Promise<Database> {
  mkdirSync(dirname(realDir(resolve(dataDir))), { recursive: true });
  const lock = await lockDataDir(resolve(dataDir));
  // The real path: a symlinked data directory is opened where it really is.
  const dir = lock.dir;
  try {
    const existed = existsSync(dir);
    if (!existed) await createAtomically(dir);
    const client = await PGlite.create(dir, EMBEDDED_SETTINGS);
    if (existed && opts.beforeMigrating) {
      const { applied, pending } = await migrationState(client);
      if (applied > 0 && pending > 0) await opts.beforeMigrating({ kind: 'pglite', client, dir });
    }
    return await wrap(client, dir, async () => {
      await client.exec('CHECKPOINT');
      await client.close();
      await lock.release();
    });
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** Runs before migrations change an existing database (Velvet takes a backup). */
export type BeforeMigrating = (source: DatabaseSource & { kind: 'pglite' }) => Promise<void>;

/** Migrations this database has applied, and those in the folder it has not yet. */
async function migrationState(client: PGlite): Promise<{ applied: number; pending: number }> {
  const journal = JSON.parse(
    readFileSync(join(migrationsConfig.migrationsFolder, 'meta', '_journal.json'), 'utf8'),
  ) as { entries: unknown[] };
  const applied = await client
    .query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')
    .then((r) => r.rows[0]!.n)
    .catch(() => 0);
  return { applied, pending: journal.entries.length - applied };
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

async function wrap(client: PGlite, dir: string | null, close: () => Promise<void>): Promise<Database> {
  await migrate(drizzle(client, { schema }), migrationsConfig);
  const problems = pgliteInternalsProblems(client);
  if (problems.length)
    throw new Error(
      `this version of PGlite lacks what Velvet relies on (src/db/pglite-internals.ts): ${problems.join('; ')}`,
    );
  const stats = newStats();
  countQueries(client, stats);
  const db = drizzle(client, { schema }) as unknown as Db;
  const prepared = new PglitePrepared(client, stats);
  const database: Database = {
    kind: 'pglite',
    source: { kind: 'pglite', client, dir },
    db,
    // PGlite has one connection: its transactions already run one at a time.
    transaction: (fn) =>
      withRetry(
        () => db.transaction(fn),
        () => stats.retried++,
      ),
    // In process there is no round trip to save: the statements run one by one in PGlite's own
    // transaction, and the repositories' builder runs on that same transaction.
    flights: (fn) =>
      withRetry(
        () =>
          client.transaction((t) => {
            let txDb: Db | undefined;
            return runFlights(
              {
                run: async (calls) => {
                  const rows: unknown[][] = [];
                  for (const c of calls) rows.push(await prepared.run(c));
                  return rows;
                },
                get db() {
                  return (txDb ??= drizzle(t as unknown as PGlite, { schema }) as unknown as Db);
                },
              },
              fn,
            );
          }),
        () => stats.retried++,
      ),
    // Outside a transaction PGlite's `query` is what takes its transaction lock; the prepared
    // runner does not, so it serves flights (inside one) only.
    run: (...calls) =>
      withRetry(
        async () => {
          const rows: unknown[][] = [];
          for (const c of calls) rows.push((await client.query(c.statement.text, c.values as unknown[])).rows);
          return rows as never;
        },
        () => stats.retried++,
      ),
    // One connection, taken in turn: there is no queue to go ahead of.
    get underway() {
      return database;
    },
    stats,
    // In process, one connection: a notification can never be missed, so nothing to catch up on.
    listen: async (channel, onPayload) => {
      const unlisten = await client.listen(channel, onPayload);
      return async () => unlisten();
    },
    ping: async () => {
      await client.query('SELECT 1');
    },
    // One connection, taken in turn by PGlite itself: nobody waits for a pool.
    poolWaiting: () => 0,
    // One process holds the directory (dir-lock.ts): a name held in memory is held everywhere.
    exclusively: inProcessExclusive(),
    close,
  };
  return database;
}
