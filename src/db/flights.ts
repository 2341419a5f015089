/**
 * The hot paths' way to the database: statements whose SQL is written once (prepared once per
 * connection on PostgreSQL), sent in *flights*: every statement of a flight goes out at once on one
 * connection (pg's pipeline mode) and the flight costs one round trip, however many it holds.
 *
 * A flight transaction is BEGIN + the first flight, any middle flights, and the last flight +
 * COMMIT. The server runs a flight's statements one after the other, each with its own snapshot
 * (READ COMMITTED), so a statement sent after a row lock reads what was committed before the lock
 * was granted. When a statement fails the transaction is aborted: the ones behind it in the flight
 * fail too and the COMMIT rolls back, so a failed flight never commits half.
 *
 * PGlite runs the same statements one by one inside its own transaction (one connection, in
 * process: there is no round trip to save), so both databases go through the same code.
 */
import type { Executor } from './database.js';

/** A statement written once. `Row` is the shape of one result row, as the driver returns it. */
export interface Statement<Row> {
  readonly name: string;
  readonly text: string;
  /** Type-level only: ties a call's rows to its statement. */
  readonly row?: Row;
}

/** Every statement declared, by name: a connection knows a prepared statement by its name alone. */
const declared = new Map<string, Statement<unknown>>();

export function statement<Row>(name: string, text: string): Statement<Row> {
  const known = declared.get(name);
  if (known && known.text !== text) throw new Error(`two prepared statements are named ${name}`);
  const s = { name, text };
  declared.set(name, s);
  return s;
}

/** The statements declared so far (the modules that declare them must have been imported). */
export const declaredStatements = (): ReadonlyMap<string, Statement<unknown>> => declared;

export interface Call<Row> {
  readonly statement: Statement<Row>;
  readonly values: readonly unknown[];
}

export function call<Row>(stmt: Statement<Row>, values: readonly unknown[]): Call<Row> {
  return { statement: stmt, values };
}

export type RowsOf<C extends readonly Call<unknown>[]> = { [K in keyof C]: C[K] extends Call<infer R> ? R[] : never };

export interface FlightTx {
  /** One round trip: every call's rows, in order. The first flight also carries BEGIN. */
  send<C extends readonly Call<unknown>[]>(...calls: C): Promise<RowsOf<C>>;
  /** The last round trip: the calls, then COMMIT. Throws (nothing committed) if any call failed. */
  commit<C extends readonly Call<unknown>[]>(...calls: C): Promise<RowsOf<C>>;
  /** The repositories' query builder on this same transaction, for rare branches. */
  readonly db: Executor;
}

/** What a driver provides: a connection in a transaction that runs a list of statements. */
export interface FlightConnection {
  /** Runs the calls in order as one flight; `begin`/`commit` wrap them in BEGIN / COMMIT. */
  run(calls: readonly Call<unknown>[], opts: { begin: boolean; commit: boolean }): Promise<unknown[][]>;
  readonly db: Executor;
}

/**
 * Runs `fn` as one flight transaction on `conn`. If `fn` returns without committing, what it sent
 * is committed in one more (empty) flight. If anything throws, the driver rolls back.
 */
export async function runFlights<T>(conn: FlightConnection, fn: (tx: FlightTx) => Promise<T>): Promise<T> {
  let begun = false;
  let committed = false;
  const flight = async (calls: readonly Call<unknown>[], commit: boolean) => {
    if (committed) throw new Error('this flight transaction has already committed');
    const rows = await conn.run(calls, { begin: !begun, commit });
    begun = true;
    if (commit) committed = true;
    return rows;
  };
  const tx: FlightTx = {
    send: (...calls) => flight(calls, false) as never,
    commit: (...calls) => flight(calls, true) as never,
    get db() {
      // On PostgreSQL BEGIN travels with the first flight: before it, this connection is not in
      // the transaction yet.
      if (!begun || committed) throw new Error('tx.db is usable only between the first flight and the commit');
      return conn.db;
    },
  };
  const value = await fn(tx);
  if (begun && !committed) await flight([], true);
  return value;
}
