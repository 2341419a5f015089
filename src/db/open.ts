import { join } from 'node:path';
import { backupFileName, backupsDirOf } from '../backup/backup-runner.js';
import { takeBackup } from '../backup/take-backup.js';
import type { Config } from '../config.js';
import type { Database } from './database.js';
import { openPgliteDir, type BeforeMigrating } from './pglite.js';
import { openPostgres } from './postgres.js';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded database in the data directory. */
export function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'dbLockTimeoutMs'>>,
): Promise<Database> {
  return config.databaseUrl
    ? openPostgres(config.databaseUrl, { lockTimeoutMs: config.dbLockTimeoutMs })
    : openPgliteDir(config.dataDir, { beforeMigrating: backupBeforeMigrating });
}

/**
 * An embedded database is backed up before a new version of Velvet migrates it: if the upgrade
 * goes wrong, the night before is one `velvet restore` away. No backup, no migration: the process
 * stops with the reason rather than change a database it could not save first.
 */
const backupBeforeMigrating: BeforeMigrating = async (source) => {
  const file = join(
    backupsDirOf(source.dir!),
    backupFileName(new Date()).replace('.velvet-backup', '-before-migrating.velvet-backup'),
  );
  console.log(`velvet: new migrations to apply; backing up first to ${file}`);
  try {
    await takeBackup({ source }, file);
  } catch (err) {
    throw new Error(
      `could not back up the embedded database before migrating it, so it was left as it was: ${(err as Error).message}`,
    );
  }
};
