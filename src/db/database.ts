import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The Drizzle handle; the same type whether PGlite or node-postgres is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either a transaction or the database itself: repositories accept both. */
export type Executor = Db | Tx;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /**
   * Runs `fn` in one transaction. Deadlocks and serialization failures are retried a few times:
   * `fn` must therefore be safe to run again (it is: everything it did was rolled back).
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Receives NOTIFY payloads on `channel` (committed transactions only). Returns an unsubscribe. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** Transactions re-run after a deadlock or serialization failure: each one is a lock-order smell. */
  readonly stats: { retried: number };
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
