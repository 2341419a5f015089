import pg from 'pg';

/**
 * Every place Velvet reaches past node-postgres's public API, in one module. Each is a property
 * pg sets on its own objects, not a documented contract, so `pgInternalsProblems` names each one
 * and says what is missing; openPostgres refuses to start on a pg that lacks them, and
 * test/driver-internals.test.ts fails with the same words. `pg` is pinned to the version that
 * passed (package.json): an upgrade is a deliberate change that runs those checks.
 *
 * - the client's socket (`client.connection.stream`): a flight is corked into one write;
 * - `client.query` and `client.release`, replaced on each client: statements counted, the
 *   connection gate's place returned with the connection;
 * - `pool.connect`, replaced: every checkout (the query builder's too) goes through the gate;
 * - `pipeline: true` in the client config: statements are sent without waiting for answers.
 */

type Query = (...args: unknown[]) => unknown;
type Release = (err?: Error | boolean) => void;

/** The socket a client writes to: corked, its writes leave together when uncorked. */
export function socketOf(client: pg.PoolClient): { cork(): void; uncork(): void } {
  return (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
}

/** Replaces `client.query` with `wrap(original)`. */
export function wrapQuery(client: pg.PoolClient, wrap: (original: Query) => Query): void {
  const original = client.query.bind(client) as Query;
  (client as unknown as { query: Query }).query = wrap(original);
}

/** Runs `before` each time this checkout is released, then pg-pool's own release. */
export function onRelease(client: pg.PoolClient, before: () => void): void {
  const release = client.release as Release;
  client.release = (err?: Error | boolean) => {
    before();
    return release(err);
  };
}

type Callback = (err: Error | undefined, client?: pg.PoolClient, done?: Release) => void;
/**
 * Every `pool.connect()`, with or without a callback (pool.query uses the callback form), goes
 * through `checkout` instead.
 */
export function routePoolConnect(pool: pg.Pool, checkout: () => Promise<pg.PoolClient>): void {
  (pool as unknown as { connect: (cb?: Callback) => unknown }).connect = (cb?: Callback) => {
    const checkedOut = checkout();
    if (!cb) return checkedOut;
    checkedOut.then(
      (client) => cb(undefined, client, client.release),
      (err: Error) => cb(err, undefined, () => {}),
    );
    return undefined;
  };
}

/** What this pg lacks of the above, in words (empty: all there). Needs a checked-out client. */
export function pgInternalsProblems(client: pg.PoolClient): string[] {
  const problems: string[] = [];
  const stream = (client as unknown as { connection?: { stream?: Record<string, unknown> } }).connection?.stream;
  if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function')
    problems.push('client.connection.stream has no cork()/uncork(): flights cannot be sent in one write');
  if (typeof client.query !== 'function' || !isWritable(client, 'query'))
    problems.push('client.query is not a replaceable function: statements cannot be counted');
  if (typeof client.release !== 'function' || !isWritable(client, 'release'))
    problems.push("client.release is not a replaceable function: the connection gate's places would leak");
  if (!(client as unknown as { pipeline?: unknown }).pipeline)
    problems.push('the client ignored `pipeline: true`: each flight would cost a round trip per statement');
  if (typeof pg.Pool.prototype.connect !== 'function')
    problems.push('pg.Pool has no connect(): the connection gate cannot route checkouts');
  return problems;
}

function isWritable(target: object, key: string): boolean {
  for (let o: object | null = target; o; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return d.writable === true || typeof d.set === 'function';
  }
  return true;
}
