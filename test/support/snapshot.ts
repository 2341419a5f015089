import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../src/db/database.js';

const ALL_TABLES = [
  'users',
  'events',
  'tiers',
  'event_tables',
  'orders',
  'tickets',
  'reservations',
  'guest_links',
  'scans',
  'refunds',
  'webhook_events',
];

/**
 * Every row of every domain table, in a stable order: compare before and after a refused request
 * to prove it changed nothing.
 */
export async function dumpTables(db: Executor, tables: string[] = ALL_TABLES): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    out[t] = await queryRows(db, sql.raw(`SELECT to_jsonb(x)::text AS row FROM ${t} x ORDER BY 1`));
  }
  return out;
}
