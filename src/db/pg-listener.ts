import pg from 'pg';
import { retryDelayMs, type BackoffPolicy } from '../domain/backoff.js';

/** 250 ms, 500 ms, 1 s … up to 5 s between attempts: back within a second of the database. */
const RECONNECT: BackoffPolicy = { baseMs: 250, capMs: 5_000 };

interface Subscription {
  channel: string;
  onPayload: (payload: string) => void;
  onReconnect: () => void;
}

/**
 * One LISTEN connection per process for every channel (floor plan, refunds), kept alive:
 *
 *  - `listen()` registers a subscription and resolves once the channel is LISTENed on a live
 *    connection. If the first connection cannot be made it rejects and keeps nothing, so a later
 *    call tries afresh (a failure is never cached).
 *  - When the connection drops (a PostgreSQL restart, a failover, a killed backend, a network
 *    blip), notifications sent meanwhile are lost: the listener reconnects with exponential
 *    backoff and jitter, LISTENs every channel again, then calls each subscription's
 *    `onReconnect` so it can catch up from the tables (the floor plan sends a fresh snapshot).
 *  - Errors on the connection are expected events here, logged once per outage, never thrown.
 *
 * LISTEN needs a session of its own: on Supabase, a direct or session-mode connection.
 */
export class PgListener {
  private readonly subs = new Set<Subscription>();
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly log: (msg: string) => void,
  ) {}

  async listen(
    channel: string,
    onPayload: (payload: string) => void,
    onReconnect: () => void = () => {},
  ): Promise<() => Promise<void>> {
    const sub: Subscription = { channel, onPayload, onReconnect };
    this.subs.add(sub);
    try {
      const client = await this.connected();
      if (![...this.subs].some((s) => s !== sub && s.channel === channel))
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      this.subs.delete(sub);
      throw err;
    }
    return async () => {
      this.subs.delete(sub);
      if (!this.subs.size) await this.close();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  /** The live connection, or one being made now. */
  private connected(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.closed = false;
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, connectionTimeoutMillis: 5000 });
    // Until the connection is ours, errors reject `connect()`; afterwards they mean "reconnect".
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (n) => {
      if (n.payload === undefined) return;
      for (const s of this.subs) if (s.channel === n.channel) s.onPayload(n.payload);
    });
    try {
      await client.connect();
      for (const channel of new Set([...this.subs].map((s) => s.channel)))
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw err;
    }
    this.client = client;
    return client;
  }

  private lost(client: pg.Client, err: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    void client.end().catch(() => {});
    if (this.closed || !this.subs.size) return;
    if (this.failures === 0)
      this.log(`velvet: LISTEN connection lost (${err?.message ?? 'closed by the server'}); reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(
      () => void this.reconnect(),
      retryDelayMs(this.failures + 1, Math.random(), RECONNECT),
    );
  }

  private async reconnect(): Promise<void> {
    if (this.closed || !this.subs.size) return;
    try {
      await this.connected();
    } catch {
      this.failures++;
      this.scheduleReconnect();
      return;
    }
    this.log('velvet: LISTEN connection back; live updates resume');
    this.failures = 0;
    for (const s of [...this.subs]) {
      try {
        s.onReconnect();
      } catch (err) {
        this.log(`velvet: catching up after reconnect failed: ${(err as Error).message}`);
      }
    }
  }
}
