import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { withRetry, type Database, type Db } from './database.js';
import { migrationsConfig } from './migrate.js';
import * as schema from './schema.js';

// Several instances may start at once against one database: only one migrates at a time.
const MIGRATION_LOCK = 7_411_905;

export interface PostgresOptions {
  /** Pool width; a race test needs at least as many connections as concurrent requests. */
  max?: number;
}

export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 20,
    // A scan waiting on a locked ticket gives up rather than queueing the whole door behind it.
    options: '-c lock_timeout=5s -c idle_in_transaction_session_timeout=60s',
  });
  let closing = false;
  // Once closing, sockets still winding down may be cut by the server: that is not news.
  pool.on('error', (err) => closing || console.error(`velvet: idle database connection failed: ${err.message}`));
  await migrateLocked(pool);
  const db = drizzle(pool, { schema }) as unknown as Db;
  const stats = { retried: 0 };
  const listeners = new Set<pg.Client>();
  return {
    kind: 'postgres',
    db,
    transaction: (fn) => withRetry(() => db.transaction(fn), () => stats.retried++),
    stats,
    listen: async (channel, onPayload) => {
      // LISTEN needs its own session (on Supabase: a direct or session-mode connection).
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      client.on('notification', (n) => {
        if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
      });
      client.on('error', (err) => console.error(`velvet: LISTEN connection failed: ${err.message}`));
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      listeners.add(client);
      return async () => {
        listeners.delete(client);
        await client.end();
      };
    },
    close: async () => {
      closing = true;
      await Promise.all([...listeners].map((c) => c.end()));
      await pool.end();
    },
  };
}

async function migrateLocked(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client, { schema }), migrationsConfig);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
