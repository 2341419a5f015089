import { parse, protocol, type PGlite } from '@electric-sql/pglite';
import type { DatabaseStats } from './database.js';
import type { Call } from './flights.js';

type Messages = Awaited<ReturnType<PGlite['execProtocolStream']>>;

/**
 * The hot paths' statements on PGlite as named prepared statements. PGlite's `query` parses,
 * describes and plans every statement anew (its `EXECUTE` takes no bind parameters), and the
 * door's one large read is most of a scan's cost there. Here each statement is parsed and
 * described once per database; a call is then Bind + Describe + Execute + Sync, and PostgreSQL
 * reuses its plan as it does for the server's pool. Parameters are serialised and rows parsed by
 * PGlite's own type handlers, exactly as its `query` does.
 *
 * Runs only inside a PGlite transaction callback (flights), under PGlite's query lock.
 */
export class PglitePrepared {
  /** Statement name → its parameters' type oids, as the database described them. */
  readonly #paramTypes = new Map<string, number[]>();

  constructor(
    private readonly client: PGlite,
    private readonly stats: DatabaseStats,
  ) {}

  async run(c: Call<unknown>): Promise<unknown[]> {
    // In process: each statement is also its own "round trip" (as PGlite's query counts them).
    this.stats.statements++;
    this.stats.roundTrips++;
    return this.client.runExclusive(async () => {
      const types = await this.#prepare(c.statement.name, c.statement.text);
      const values = c.values.map((v, i) => {
        if (v === null || v === undefined) return null;
        const serialize = this.client.serializers[types[i]!];
        return serialize ? serialize(v) : String(v);
      });
      const messages: Messages = [];
      try {
        messages.push(...(await this.#send(protocol.serialize.bind({ statement: c.statement.name, values }))));
        messages.push(...(await this.#send(protocol.serialize.describe({ type: 'P' }))));
        messages.push(...(await this.#send(protocol.serialize.execute({}))));
      } finally {
        // After an error the server skips everything up to the Sync: always end with one.
        messages.push(...(await this.#send(protocol.serialize.sync())));
      }
      return parse.parseResults(messages, this.client.parsers)[0]?.rows ?? [];
    });
  }

  async #prepare(name: string, text: string): Promise<number[]> {
    const known = this.#paramTypes.get(name);
    if (known) return known;
    const described: Messages = [];
    try {
      await this.#send(protocol.serialize.parse({ name, text }));
      described.push(...(await this.#send(protocol.serialize.describe({ type: 'S', name }))));
    } finally {
      await this.#send(protocol.serialize.sync());
    }
    const types = parse.parseDescribeStatementResults(described);
    this.#paramTypes.set(name, types);
    return types;
  }

  #send(message: Uint8Array): Promise<Messages> {
    return this.client.execProtocolStream(message, { syncToFs: false });
  }
}
