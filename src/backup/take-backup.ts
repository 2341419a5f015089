import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import type { Database } from '../db/database.js';
import { readBackupHeader, writeBackupFile, type BackupHeader } from './backup-file.js';
import { dumpPostgres, lastMigration } from './dumps.js';
import { dumpCopyToFile, snapshotDirOf, snapshotPgliteDir } from './pglite-snapshot.js';

/**
 * A consistent backup of the whole database into `file` (backup-file.ts), while it serves:
 * PostgreSQL by pg_dump (one snapshot of its own, nobody waits); the embedded database by a
 * copy of its directory at one instant, dumped by another process (pglite-snapshot.ts).
 */
export async function takeBackup(
  database: Pick<Database, 'source'>,
  file: string,
  now = new Date(),
  /** How long the embedded database ran nothing else while its files were copied (BENCHMARKS.md). */
  onExclusive: (ms: number) => void = () => {},
): Promise<BackupHeader> {
  const target = resolve(file);
  mkdirSync(dirname(target), { recursive: true });
  const source = database.source;
  if (source.kind === 'postgres') {
    const migration = await lastMigration((sql) => queryPostgres(source.url, sql));
    const sql = await dumpPostgres(source.url);
    return writeBackupFile(target, sql, { created_at: now.toISOString(), database: 'postgres', migration });
  }
  if (source.dir === null) throw new Error('an embedded database in memory has no files to back up');
  const copy = snapshotDirOf(source.dir);
  try {
    onExclusive((await snapshotPgliteDir(source.client, source.dir, copy)).exclusiveMs);
    await dumpCopyToFile(copy, target, now);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  return readBackupHeader(target);
}

async function queryPostgres<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}
