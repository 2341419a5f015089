import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { lockDataDir, realDir } from '../db/dir-lock.js';
import { readBackupFile, type BackupHeader } from './backup-file.js';
import { replaySqlScript, splitSqlScript, type ScriptTarget } from './sql-script.js';

/** The target already holds data: nothing was changed. */
export class RestoreRefused extends Error {
  override name = 'RestoreRefused';
}

export type RestoreTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

/**
 * Loads a backup into an empty database, whole or not at all. The file is checked first (a file
 * cut short or changed is refused before anything is touched), then its statements are replayed
 * in one transaction. A database that already holds Velvet's tables, or an embedded data
 * directory that already holds a database, is refused and left as it was. The restored database
 * is at the backup's migration; Velvet migrates it forward when it starts.
 */
export async function restoreBackup(file: string, target: RestoreTarget): Promise<BackupHeader> {
  const { header, sql } = readBackupFile(file);
  const statements = splitSqlScript(sql);
  if (target.kind === 'postgres') await restoreIntoPostgres(target.url, statements);
  else await restoreIntoPglite(target.dataDir, statements);
  return header;
}

async function restoreIntoPostgres(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await refuseUnlessEmpty(client);
    await replaySqlScript(
      scriptTarget((sql, values) => client.query(sql, values)),
      statements,
    );
  } finally {
    await client.end();
  }
}

/** Throws RestoreRefused when the PostgreSQL database at `url` already holds Velvet's tables. */
export async function assertEmptyPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await refuseUnlessEmpty(client);
  } finally {
    await client.end();
  }
}

async function refuseUnlessEmpty(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ tables: number }>(
    "SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname IN ('public', 'drizzle')",
  );
  if (rows[0]!.tables > 0)
    throw new RestoreRefused(
      `the database already holds ${rows[0]!.tables} tables: restore into an empty database (createdb a new one); nothing was changed`,
    );
}

async function restoreIntoPglite(dataDir: string, statements: string[]): Promise<void> {
  const dir = realDir(resolve(dataDir));
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new RestoreRefused(
      `the data directory ${dir} already holds a database: restore into a new VELVET_DATA_DIR; nothing was changed`,
    );
  }
  const lock = await lockDataDir(dir);
  const building = `${dir}.restoring`;
  try {
    rmSync(building, { recursive: true, force: true });
    const client = await PGlite.create(building);
    try {
      await replaySqlScript(
        scriptTarget(async (sql, values) => (values ? client.query(sql, values) : client.exec(sql))),
        statements,
      );
      await client.exec('CHECKPOINT');
    } finally {
      await client.close();
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    throw err;
  } finally {
    await lock.release();
  }
}

/**
 * The replay's connection. A dump names its schemas: `CREATE SCHEMA public` (in every new
 * database already) is left out when the schema exists; the emptiness check above made sure it
 * holds nothing of Velvet's.
 */
function scriptTarget(query: (sql: string, values?: unknown[]) => Promise<unknown>): ScriptTarget {
  return {
    exec: async (sql) => {
      await query(sql);
    },
    hasSetting: async (name) =>
      ((await query('SELECT 1 FROM pg_settings WHERE name = $1', [name])) as { rows: unknown[] }).rows.length > 0,
    skip: async (statement) => {
      const schema = /^CREATE SCHEMA (\w+);$/i.exec(statement)?.[1];
      if (!schema) return false;
      return (
        ((await query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])) as { rows: unknown[] }).rows.length >
        0
      );
    },
  };
}
