import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { DatabaseStats, Db } from './database.js';
import { isDatabaseUnavailable } from './database.js';
import { runFlights, type Call, type FlightTx } from './flights.js';
import * as schema from './schema.js';
import { socketOf, wrapQuery } from './pg-internals.js';

/** Checks a client out of the pool (whose clients run in pg's pipeline mode). */
export type Checkout = () => Promise<pg.PoolClient>;

/**
 * A flight transaction on a client from `checkout`.
 * Each flight is written to the socket at once (one write system call: on this kind of virtual
 * machine a write costs more than the statement it carries) and costs one round trip.
 */
export async function pgFlights<T>(checkout: Checkout, fn: (tx: FlightTx) => Promise<T>): Promise<T> {
  const client = await checkout();
  let broken: Error | undefined;
  let db: Db | undefined;
  try {
    return await runFlights(
      {
        run: (calls, opts) => runFlight(client, calls, opts),
        get db() {
          return (db ??= drizzle(client, { schema }) as unknown as Db);
        },
      },
      fn,
    );
  } catch (err) {
    if (isDatabaseUnavailable(err)) broken = err as Error;
    // In a transaction (open, or aborted by the failed statement): end it before the client goes back.
    else if (client.getTransactionStatus() !== 'I') await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** One flight outside any transaction (Database.run): each statement commits on its own. */
export async function pgRun(checkout: Checkout, calls: readonly Call<unknown>[]): Promise<unknown[][]> {
  const client = await checkout();
  let broken: Error | undefined;
  try {
    return await runFlight(client, calls, { begin: false, commit: false });
  } catch (err) {
    if (isDatabaseUnavailable(err)) broken = err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}

async function runFlight(
  client: pg.PoolClient,
  calls: readonly Call<unknown>[],
  opts: { begin: boolean; commit: boolean },
): Promise<unknown[][]> {
  const pending: Array<Promise<pg.QueryResult>> = [];
  // Corked, the flight's messages leave in one write when it is uncorked.
  const stream = socketOf(client);
  stream.cork();
  try {
    if (opts.begin) pending.push(client.query('BEGIN'));
    for (const c of calls)
      pending.push(client.query({ name: c.statement.name, text: c.statement.text, values: c.values as unknown[] }));
    if (opts.commit) pending.push(client.query('COMMIT'));
  } finally {
    stream.uncork();
  }
  const settled = await Promise.allSettled(pending);
  // The first failure is the cause; the statements behind it only report the aborted transaction.
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const results = (settled as Array<PromiseFulfilledResult<pg.QueryResult>>).map((s) => s.value);
  if (opts.commit && results.at(-1)!.command !== 'COMMIT') throw new Error('the transaction rolled back at COMMIT');
  return results.slice(opts.begin ? 1 : 0, (opts.begin ? 1 : 0) + calls.length).map((r) => r.rows);
}

/**
 * Counts the statements a client sends and the round trips they cost (DatabaseStats). Wraps
 * `client.query` once, when the pool connects the client.
 */
export function countQueries(client: pg.PoolClient, stats: DatabaseStats): void {
  let inFlight = 0;
  const done = () => inFlight--;
  wrapQuery(client, (query) => (...args: unknown[]) => {
    stats.statements++;
    if (inFlight++ === 0) stats.roundTrips++;
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (...cbArgs: unknown[]) => {
        done();
        return (last as (...a: unknown[]) => unknown)(...cbArgs);
      };
      return query(...args);
    }
    const result = query(...args);
    if (result instanceof Promise) result.then(done, done);
    else done();
    return result;
  });
}
