import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import {
  advisoryKey,
  isDatabaseUnavailable,
  newStats,
  withRetry,
  type Database,
  type DatabaseStats,
  type Db,
} from './database.js';
import { migrationsConfig } from './migrate.js';
import { ConnectionGate } from './connection-gate.js';
import { countQueries, pgFlights, pgRun } from './pg-flights.js';
import { onRelease, pgInternalsProblems, routePoolConnect } from './pg-internals.js';
import { PgListener } from './pg-listener.js';
import * as schema from './schema.js';

// With the database away, a request fails in seconds (503, retry) instead of hanging.
const CONNECT_TIMEOUT_MS = 5_000;

// Several instances may start at once against one database: only one migrates at a time.
const MIGRATION_LOCK = 7_411_905;

export interface PostgresOptions {
  /** Pool width; a race test needs at least as many connections as concurrent requests. */
  max?: number;
  /** A statement waiting this long for a row another transaction holds gives up (default 5 s). */
  lockTimeoutMs?: number | undefined;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 5_000;

export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Database> {
  const max = opts.max ?? 20;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // A scan waiting on a locked ticket gives up rather than queueing the whole door behind it.
    options: `-c lock_timeout=${opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS}ms -c idle_in_transaction_session_timeout=60s`,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    // A client sends a statement without waiting for the one before it to be answered: a hot
    // path's flight (flights.ts) is one round trip. Code that awaits each statement is unaffected.
    pipeline: true,
  } as pg.PoolConfig);
  let closing = false;
  const log = onceIn(5_000, (msg: string) => closing || console.error(msg));
  // A connection can fail at any moment: idle in the pool (the pool's own listener) or checked
  // out in the middle of a request, where pg-pool has no listener and an unhandled 'error' would
  // end the process. The query in flight fails with the same error and the request answers 503;
  // the pool discards the broken client. Either way this process stays up.
  const stats = newStats();
  pool.on('error', (err) => {
    stats.connectionErrors++;
    log(`velvet: idle database connection failed: ${err.message}`);
  });
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      stats.connectionErrors++;
      log(`velvet: database connection failed: ${err.message}`);
    });
    countQueries(client, stats);
  });
  const { checkout, gate } = gateConnections(pool, max, stats);
  await migrateLocked(pool);
  const db = drizzle(pool, { schema }) as unknown as Db;
  const listener = new PgListener(url, (m) => closing || console.error(m));
  const onRetry = () => stats.retried++;
  const fresh = () => checkout(false);
  const underway = () => checkout(true);
  return {
    kind: 'postgres',
    source: { kind: 'postgres', url },
    db,
    transaction: (fn) => withRetry(() => db.transaction(fn), onRetry),
    flights: (fn) => withRetry(() => pgFlights(fresh, fn), onRetry),
    run: (...calls) => withRetry(() => pgRun(fresh, calls), onRetry) as never,
    underway: {
      flights: (fn) => withRetry(() => pgFlights(underway, fn), onRetry),
      run: (...calls) => withRetry(() => pgRun(underway, calls), onRetry) as never,
    },
    stats,
    listen: (channel, onPayload, onReconnect) => listener.listen(channel, onPayload, onReconnect),
    ping: (timeoutMs) => pingPool(pool, timeoutMs),
    poolWaiting: () => gate.waiting.underway + gate.waiting.fresh,
    exclusively: async (name, fn) => {
      const client = await pool.connect();
      const key = advisoryKey(name);
      let broken: Error | undefined;
      try {
        const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS got', [key]);
        if (!rows[0]!.got) return null;
        try {
          return { value: await fn() };
        } finally {
          await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch((err: Error) => (broken = err));
        }
      } catch (err) {
        if (isDatabaseUnavailable(err)) broken = err as Error;
        throw err;
      } finally {
        // A connection whose unlock failed is not given back: closing it ends its session, and the lock with it.
        client.release(broken ?? false);
      }
    },
    close: async () => {
      closing = true;
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * Every checkout of `pool`, the query builder's included, goes through one ConnectionGate of the
 * pool's width, so the pool never queues and the gate decides who is next. Returns the checkout
 * for the hot paths, fresh or underway.
 */
function gateConnections(
  pool: pg.Pool,
  size: number,
  stats: DatabaseStats,
): { checkout: (underway: boolean) => Promise<pg.PoolClient>; gate: ConnectionGate } {
  const gate = new ConnectionGate(size, CONNECT_TIMEOUT_MS);
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  let verified = false;
  const checkout = async (underway: boolean): Promise<pg.PoolClient> => {
    const leave = await gate.enter(underway);
    let client: pg.PoolClient;
    try {
      client = await connect();
    } catch (err) {
      leave();
      if (isDatabaseUnavailable(err)) stats.connectionErrors++;
      throw err;
    }
    if (!verified) {
      // Once per pool: a pg that lacks what Velvet patches stops the start with the reason.
      const problems = pgInternalsProblems(client);
      if (problems.length) {
        client.release();
        leave();
        throw new Error(
          `this version of pg lacks internals Velvet relies on (src/db/pg-internals.ts): ${problems.join('; ')}`,
        );
      }
      verified = true;
    }
    // pg-pool gives each checkout its own release; the place in the gate goes back with it.
    onRelease(client, leave);
    return client;
  };
  // pool.query (the query builder) checks out through connect(callback).
  routePoolConnect(pool, () => checkout(false));
  return { checkout, gate };
}

/** Logs at most once per `ms`: an outage breaks every connection at once, one line says it. */
function onceIn(ms: number, log: (msg: string) => unknown): (msg: string) => void {
  let last = 0;
  return (msg) => {
    const now = Date.now();
    if (now - last < ms) return;
    last = now;
    log(msg);
  };
}

async function pingPool(pool: pg.Pool, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('the database did not answer in time'), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
  });
  try {
    await Promise.race([pool.query('SELECT 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
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
