import type { Config } from '../config.js';
import type { Database } from './database.js';
import { openPgliteDir } from './pglite.js';
import { openPostgres } from './postgres.js';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded database in the data directory. */
export function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openPgliteDir(config.dataDir);
}
