import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import type { Config } from '../config.js';
import { DataDirLockedError, realDir } from '../db/dir-lock.js';
import { openDatabase } from '../db/open.js';
import { backupFileName, backupsDirOf, listBackups } from './backup-runner.js';
import { readBackupHeader, type BackupHeader } from './backup-file.js';
import { assertEmptyPostgres, restoreBackup, type RestoreTarget } from './restore.js';
import { takeBackup } from './take-backup.js';

/** `velvet backup [FILE]`: a backup of the configured database, now. */
export async function backupCommand(config: Config, file: string | undefined): Promise<string> {
  const target = resolve(file ?? backupFileName(new Date()));
  let database;
  try {
    database = await openDatabase(config);
  } catch (err) {
    if (err instanceof DataDirLockedError) throw new DataDirLockedError(err.dir, err.holder, runningHint(config));
    throw err;
  }
  try {
    const header = await takeBackup(database, target);
    return `Backup written to ${target} (${describe(header)}, ${kb(statSync(target).size)}).`;
  } finally {
    await database.close();
  }
}

/** `velvet restore FILE`: into the configured database, which must be empty. */
export async function restoreCommand(config: Config, file: string): Promise<string> {
  const target: RestoreTarget = config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'pglite', dataDir: config.dataDir };
  const header = await restoreBackup(resolve(file), target);
  const where =
    target.kind === 'postgres'
      ? 'the PostgreSQL database in DATABASE_URL'
      : `the embedded database in ${config.dataDir}`;
  return `Restored ${file} (${describe(header)}) into ${where}. Start Velvet on it with: ${target.kind === 'postgres' ? 'DATABASE_URL=… ' : ''}npx velvet serve`;
}

/**
 * `velvet move-to-postgres URL`: the embedded database, whole, into an empty PostgreSQL database.
 * Velvet must be stopped (the data directory is locked while it runs): a move while it sells
 * would leave the last minutes behind. The backup taken for the move stays in the backups folder.
 */
export async function moveToPostgresCommand(config: Config, url: string): Promise<string> {
  if (config.databaseUrl)
    throw new Error(
      'DATABASE_URL is set: this Velvet already runs on PostgreSQL. Unset it to move the embedded database.',
    );
  await assertEmptyPostgres(url);
  const dataDir = realDir(resolve(config.dataDir));
  let database;
  try {
    database = await openDatabase({ dataDir, databaseUrl: undefined });
  } catch (err) {
    if (err instanceof DataDirLockedError)
      throw new DataDirLockedError(
        err.dir,
        err.holder,
        'Stop it first: the move takes the whole database, and a running Velvet would keep selling into the old one.',
      );
    throw err;
  }
  const file = resolve(
    backupsDirOf(dataDir),
    backupFileName(new Date()).replace('.velvet-backup', '-moved-to-postgres.velvet-backup'),
  );
  let before: Record<string, number>;
  try {
    await takeBackup(database, file);
    before = await rowCounts((sql) =>
      database.source.kind === 'pglite' ? database.source.client.query(sql) : Promise.reject(new Error('not embedded')),
    );
  } finally {
    await database.close();
  }
  await restoreBackup(file, { kind: 'postgres', url });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let after: Record<string, number>;
  try {
    after = await rowCounts((sql) => client.query(sql));
  } finally {
    await client.end();
  }
  const differ = Object.keys(before).filter((t) => before[t] !== after[t]);
  if (differ.length)
    throw new Error(
      `the move did not carry every row (${differ.map((t) => `${t}: ${before[t]} → ${after[t] ?? 0}`).join(', ')}); the embedded database is unchanged`,
    );
  const rows = Object.values(before).reduce((a, b) => a + b, 0);
  return [
    `Moved the embedded database in ${dataDir} to PostgreSQL: ${Object.keys(before).length} tables, ${rows.toLocaleString('en-US')} rows, each table checked.`,
    `The backup taken for the move: ${file}`,
    'Start Velvet on PostgreSQL (keep the same VELVET_PUBLIC_URL; signing keys, logins and links moved with the data):',
    `  DATABASE_URL='${url}' npx velvet serve`,
  ].join('\n');
}

/** Rows per table of Velvet's own schemas. */
async function rowCounts(query: (sql: string) => Promise<{ rows: unknown[] }>): Promise<Record<string, number>> {
  const tables = (
    await query(
      "SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE schemaname IN ('public', 'drizzle') ORDER BY 1",
    )
  ).rows as Array<{ name: string }>;
  const counts: Record<string, number> = {};
  for (const { name } of tables)
    counts[name] = ((await query(`SELECT count(*)::int AS n FROM ${name}`)).rows[0] as { n: number }).n;
  return counts;
}

function runningHint(config: Config): string {
  const newest = listBackups(backupsDirOf(realDir(resolve(config.dataDir))))[0];
  const every =
    config.backups.intervalMs === null
      ? 'automatic backups are off (VELVET_BACKUP_INTERVAL=off)'
      : `it backs itself up every ${Math.round(config.backups.intervalMs / 60_000)} minutes`;
  return `Velvet is running on it: ${every}${newest ? `; the newest is ${newest} (${describe(readBackupHeader(newest))})` : ''}. Copy that one, or stop Velvet to take one now.`;
}

function describe(h: BackupHeader): string {
  return `taken ${h.created_at} from ${h.database === 'pglite' ? 'the embedded database' : 'PostgreSQL'}, at migration ${h.migration ?? 'none'}`;
}

const kb = (bytes: number) =>
  bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
