import { createHash } from 'node:crypto';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { Call, FlightTx, RowsOf } from './flights.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The Drizzle handle; the same type whether PGlite or node-postgres is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either a transaction or the database itself: repositories accept both. */
export type Executor = Db | Tx;

/** Where the data lives, for the tools that work on the database as a whole (backups). */
export type DatabaseSource =
  | { kind: 'pglite'; client: import('@electric-sql/pglite').PGlite; dir: string | null }
  | { kind: 'postgres'; url: string };

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly source: DatabaseSource;
  readonly db: Db;
  /**
   * Runs `fn` in one transaction. Deadlocks and serialization failures are retried a few times:
   * `fn` must therefore be safe to run again (it is: everything it did was rolled back).
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` as a flight transaction (flights.ts): the hot paths' prepared statements, pipelined.
   * Retried like `transaction` after a deadlock or serialization failure.
   */
  flights<T>(fn: (tx: FlightTx) => Promise<T>): Promise<T>;
  /**
   * One round trip of prepared statements outside any transaction: each commits on its own (a
   * single statement is atomic). For reads, and for writes that are one statement.
   */
  run<C extends readonly Call<unknown>[]>(...calls: C): Promise<RowsOf<C>>;
  /**
   * `flights` and `run` for a request's later trips, once it has been to the database: when every
   * connection is in use they get the next one before new requests do (connection-gate.ts).
   */
  readonly underway: Pick<Database, 'flights' | 'run'>;
  /**
   * Receives NOTIFY payloads on `channel` (committed transactions only). Returns an unsubscribe.
   * Survives a lost connection: `onReconnect` is called once listening again, because whatever
   * was notified meanwhile is lost (the subscriber re-reads what it shows). Rejects, keeping
   * nothing, when the database cannot be reached at all.
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /** Resolves when the database answers a trivial query within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  /** Requests waiting for a connection right now (PostgreSQL's pool; the embedded database has none). */
  poolWaiting(): number;
  /**
   * Runs `fn` unless another process (or this one) on this database is running one under the same
   * `name` right now: then null, at once. PostgreSQL: a session advisory lock held on a connection
   * of its own for the duration; the embedded database has one process, so a lock in memory.
   */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<{ value: T } | null>;
  close(): Promise<void>;
  readonly stats: DatabaseStats;
}

export interface DatabaseStats {
  /** Transactions re-run after a deadlock or serialization failure: each one is a lock-order smell. */
  retried: number;
  /** Statements sent (BEGIN and COMMIT included), counted where they are sent. */
  statements: number;
  /**
   * Waits for the database: a statement sent while none is in flight on its connection starts
   * one; statements pipelined behind it share it. The embedded database counts each statement.
   */
  roundTrips: number;
  /** Connections that failed to open or broke while open (the database away, a backend killed). */
  connectionErrors: number;
}

export function newStats(): DatabaseStats {
  return { retried: 0, statements: 0, roundTrips: 0, connectionErrors: 0 };
}

const RETRYABLE = new Set(['40001', '40P01']);

export async function withRetry<T>(run: () => Promise<T>, onRetry: () => void, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !RETRYABLE.has(pgErrorCode(err) ?? '')) throw err;
      onRetry();
    }
  }
}

/** The SQLSTATE of a database error, whichever driver raised it (Drizzle wraps it in `cause`). */
export function pgErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '3D000']);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|cannot use a pool after calling end/i;

/**
 * The database cannot be reached right now (down, restarting, failing over, too many connections,
 * the connection cut mid-request): nothing was decided, and the same request may simply be tried
 * again shortly. SQLSTATE class 08 (connection exception), admin/crash shutdown, "cannot connect
 * now", plus the socket and pool errors of the `pg` driver.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NODE_CODES.has(code))
    )
      return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The database could not write (disk full: SQLSTATE 53100, or ENOSPC from the file system under
 * the embedded database). The transaction was rolled back; what was committed before is intact.
 */
export function isStorageFull(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === '53100' || code === 'ENOSPC') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The violated constraint's name, for turning a unique-index refusal into a domain code. */
export function pgConstraint(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const c = (e as { constraint?: unknown }).constraint;
    if (typeof c === 'string') return c;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Rows of a raw SQL query, the same on both drivers (used where Drizzle's builder is clumsy). */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** A PostgreSQL advisory-lock key for a name (64 bits of its SHA-256, as a signed bigint's text). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`velvet:${name}`).digest().readBigInt64BE(0).toString();
}

/** `exclusively` for a single process: names taken in memory. */
export function inProcessExclusive(): Database['exclusively'] {
  const held = new Set<string>();
  return async (name, fn) => {
    if (held.has(name)) return null;
    held.add(name);
    try {
      return { value: await fn() };
    } finally {
      held.delete(name);
    }
  };
}
