import { parse, protocol, type PGlite } from '@electric-sql/pglite';
import type { DatabaseStats } from './database.js';

/**
 * Every place Velvet relies on PGlite beyond its documented query API, in one module:
 * `query`/`exec` replaced on the instance and on each transaction (statements counted), and the
 * wire-protocol pieces the prepared hot paths use (pglite-prepared.ts: `execProtocolStream`,
 * `runExclusive`, the type `serializers`/`parsers`, `protocol.serialize`, `parse`).
 * `pgliteInternalsProblems` names what a PGlite lacks; the embedded database refuses to open on
 * one, and test/driver-internals.test.ts fails with the same words. PGlite is pinned to the
 * version that passed (package.json).
 */
export function pgliteInternalsProblems(client: PGlite): string[] {
  const problems: string[] = [];
  const has = (o: unknown, key: string) => typeof (o as Record<string, unknown> | undefined)?.[key] === 'function';
  for (const method of ['execProtocolStream', 'runExclusive', 'query', 'exec', 'transaction'])
    if (!has(client, method)) problems.push(`PGlite has no ${method}()`);
  for (const table of ['serializers', 'parsers'] as const)
    if (typeof (client as unknown as Record<string, unknown>)[table] !== 'object')
      problems.push(`PGlite has no ${table} table`);
  for (const message of ['parse', 'bind', 'describe', 'execute', 'sync'])
    if (!has(protocol?.serialize, message)) problems.push(`protocol.serialize.${message} is missing`);
  for (const fn of ['parseResults', 'parseDescribeStatementResults'])
    if (!has(parse, fn)) problems.push(`parse.${fn} is missing`);
  return problems;
}

/**
 * Counts statements (DatabaseStats): PGlite is in process, so each one is also a "round trip".
 * Transactions get the wrapper too: their statements run on the object PGlite hands to the callback.
 */
export function countQueries(client: PGlite, stats: DatabaseStats): void {
  type Runner = { query: (...a: never[]) => Promise<unknown>; exec: (...a: never[]) => Promise<unknown> };
  const count = (target: Runner) => {
    for (const method of ['query', 'exec'] as const) {
      const original = target[method].bind(target);
      target[method] = (...args: never[]) => {
        stats.statements++;
        stats.roundTrips++;
        return original(...args);
      };
    }
  };
  count(client as unknown as Runner);
  const transaction = client.transaction.bind(client);
  client.transaction = (fn) =>
    transaction((t) => {
      count(t as unknown as Runner);
      return fn(t);
    });
}
