import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { call, statement } from '../src/db/flights.js';
import { onPostgres, openTestDatabase } from './support/database.js';

const select = statement<{ n: number }>('test_select_n', 'SELECT $1::int AS n');

describe.runIf(onPostgres)('who gets the next connection when all are in use (PostgreSQL)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase({ poolSize: 2 });
  });
  afterAll(() => database.close());

  it("a request's later trip goes before new requests that waited longer; they follow in order of arrival, the query builder's included", async () => {
    // Both connections held by open transactions until each is let go.
    const base = database.stats.statements;
    const letGo: Array<() => void> = [];
    const holders = [0, 1].map((i) =>
      database.flights(async (tx) => {
        await tx.send(call(select, [0]));
        await new Promise<void>((resolve) => (letGo[i] = resolve));
      }),
    );
    await until(() => database.stats.statements >= base + 4 && letGo.length === 2);

    const answered: string[] = [];
    const note = (name: string) => () => void answered.push(name);
    const waiting = [
      database.run(call(select, [1])).then(note('new run')),
      database.db.execute(sql`SELECT 2`).then(note('new builder query')),
      database.flights((tx) => tx.commit(call(select, [3]))).then(note('new flights')),
    ];
    // The new requests queue first (all three are waiting at the gate): the later trip below arrives last.
    await until(() => database.poolWaiting() === 3);
    waiting.push(database.underway.run(call(select, [4])).then(note('underway run')));
    await until(() => database.poolWaiting() === 4);
    expect(answered).toEqual([]);

    // One connection comes back: the later trip has it first, then the new requests in order of
    // arrival, one after the other on that connection.
    letGo[0]!();
    try {
      await Promise.all(waiting);
      expect(answered).toEqual(['underway run', 'new run', 'new builder query', 'new flights']);
    } finally {
      letGo[1]!();
      await Promise.all(holders);
    }
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!done()) throw new Error('timed out');
}
