import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from './support/database.js';
import { account, loadLoops, startLiveServer, type Answer, type LiveServer } from './support/live-server.js';
import { createCluster, type Cluster } from './support/pg-cluster.js';
import { SseReader } from './support/sse.js';

/**
 * The database goes away under load, for real: `velvet serve` runs as a child process against a
 * PostgreSQL cluster of this test's own, which is restarted (fast, then immediate = crash) and has
 * its backends killed while scanners and buyers hammer the server. The process must stay up,
 * answer 503 database_unavailable (with Retry-After) while the database is gone, work again within
 * seconds, bring open floor-plan streams back with a fresh snapshot, and lose or double nothing.
 */

const GA = 240;
const TABLES = 40;

let cluster: Cluster;
let server: LiveServer;
let env: Record<string, string>;
let owner: string;
let staff: string;
let eventId: string;
let tableIds: string[];
let codes: Array<{ ticketId: string; qr: string }>;

const ACCEPTABLE = new Set([200, 201, 409, 503]);

async function db<T extends pg.QueryResultRow>(query: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    return (await client.query<T>(query, params)).rows;
  } finally {
    await client.end();
  }
}

/** Polls /healthz until it answers 200; returns how long that took. */
async function waitHealthy(timeoutMs = 20_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const h = await server.call('GET', '/healthz');
    if (h.status === 200) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`not healthy after ${timeoutMs} ms: ${JSON.stringify(h)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!onPostgres)('the database goes away under load (own cluster; PostgreSQL runs only)', () => {
  beforeAll(async () => {
    cluster = await createCluster();
    env = { DATABASE_URL: cluster.url, VELVET_SWEEP_INTERVAL_MS: '500', VELVET_LOGIN_ATTEMPTS_PER_MINUTE: '100' };
    server = await startLiveServer(env);
    owner = await account(server, env, 'owner@fault.test', 'owner');
    staff = await account(server, env, 'staff@fault.test', 'staff');
    const now = Date.now();
    const created = await server.call(
      'POST',
      '/api/v1/events',
      {
        name: 'Fault Night',
        starts_at: new Date(now - 3600_000).toISOString(),
        ends_at: new Date(now + 6 * 3600_000).toISOString(),
        currency: 'EUR',
        ga: { price_cents: 1000, capacity: 5000 },
        tiers: [{ name: 'Gold', price_cents: 10000, capacity: 4 }],
        tables: Array.from({ length: TABLES }, (_, i) => ({
          number: i + 1,
          tier: 'Gold',
          x: (i % 8) * 100,
          y: Math.floor(i / 8) * 100,
        })),
      },
      owner,
    );
    expect(created.status).toBe(201);
    eventId = created.body!.id as string;
    tableIds = (created.body!.tables as Array<{ id: string }>).map((t) => t.id);
    codes = [];
    for (let i = 0; i < GA; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, async (_, j) => {
          const placed = await server.call('POST', `/api/v1/events/${eventId}/orders`, {
            email: `ga${i + j}@fault.test`,
            name: `Guest ${i + j}`,
            ga_quantity: 1,
          });
          const paid = await server.call(
            'POST',
            `/api/v1/orders/${placed.body!.order_id}/pay-local`,
            undefined,
            placed.body!.manage_token as string,
          );
          const t = (paid.body!.tickets as Array<{ id: string; qr: string }>)[0]!;
          return { ticketId: t.id, qr: t.qr };
        }),
      );
      codes.push(...batch);
    }
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await cluster?.destroy();
  });

  it('restarts (fast, then immediate) and killed backends mid door rush and table drop: up throughout, 503 while away, back in seconds, nothing lost or doubled', async () => {
    const abort = new AbortController();
    const streamRes = await fetch(`${server.base}/api/v1/events/${eventId}/floor-plan/stream?token=${owner}`, {
      signal: abort.signal,
    });
    const stream = new SseReader(streamRes);
    expect((await stream.next()).event).toBe('snapshot');

    const answers: Array<{ kind: string; a: Answer; code?: string; tableId?: string }> = [];
    const queue = [...codes];
    const scanned: typeof codes = [];
    const scanners = loadLoops(8, async (i) => {
      // Mostly first entries; every fifth scan a code already scanned (a second person at the door).
      const again = i % 5 === 0 && scanned.length > 0;
      const c = again ? scanned[Math.floor(Math.random() * scanned.length)]! : queue.shift();
      if (!c) return new Promise((r) => setTimeout(r, 20));
      if (!again) scanned.push(c);
      const a = await server.call(
        'POST',
        '/api/v1/scans',
        { qr: c.qr, scanner_id: `door-${i}`, event_id: eventId },
        staff,
      );
      answers.push({ kind: 'scan', a, code: c.ticketId });
    });
    let buyer = 0;
    const buyers = loadLoops(4, async () => {
      const n = buyer++;
      // The last table is kept free for the stream check at the end.
      const tableId = tableIds[n % (TABLES - 1)]!;
      const placed = await server.call('POST', `/api/v1/events/${eventId}/orders`, {
        email: `t${n}@fault.test`,
        name: `Table Buyer ${n}`,
        ga_quantity: 1,
        table_id: tableId,
      });
      answers.push({ kind: 'order', a: placed, tableId });
      if (placed.status !== 201) return;
      const paid = await server.call(
        'POST',
        `/api/v1/orders/${placed.body!.order_id}/pay-local`,
        undefined,
        placed.body!.manage_token as string,
      );
      answers.push({ kind: 'pay', a: paid, tableId });
    });
    const health: Answer[] = [];
    const healthLoop = loadLoops(1, async () => {
      health.push(await server.call('GET', '/healthz'));
      await new Promise((r) => setTimeout(r, 50));
    });

    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const recovery: number[] = [];
    await pause(1500);
    await cluster.restart('fast');
    recovery.push(await waitHealthy());
    await pause(1500);
    await cluster.restart('immediate');
    recovery.push(await waitHealthy());
    await pause(1000);
    // Every backend of the server killed mid-transaction, its LISTEN connection included.
    await cluster.sql(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
    );
    recovery.push(await waitHealthy());
    await pause(1500);
    await Promise.all([scanners.stop(), buyers.stop(), healthLoop.stop()]);

    // The process never went down, never answered 500, and said "try again" while the database was away.
    expect(server.proc.child.exitCode, server.proc.output()).toBeNull();
    const bad = answers.filter(({ a }) => !ACCEPTABLE.has(a.status as number));
    expect(bad, JSON.stringify(bad.slice(0, 5))).toEqual([]);
    const unavailable = answers.filter(({ a }) => a.status === 503);
    for (const { a } of unavailable) {
      expect(['database_unavailable', 'busy']).toContain(a.code);
      expect(a.retryAfter).toBeTruthy();
    }
    expect(health.some((h) => h.status === 503 && (h.body as { problem?: string }).problem?.includes('postgres'))).toBe(
      true,
    );
    expect(health.every((h) => h.status === 200 || h.status === 503)).toBe(true);
    for (const ms of recovery) expect(ms).toBeLessThan(10_000);
    expect(answers.filter(({ a }) => a.status === 200 && a.result === 'admitted').length).toBeGreaterThan(20);

    // Nothing lost, nothing doubled: from the tables.
    const admittedTwice = await db(
      `SELECT ticket_id FROM scans WHERE result = 'admitted' GROUP BY ticket_id HAVING count(*) > 1`,
    );
    expect(admittedTwice).toEqual([]);
    const admittedRows = new Set(
      (await db<{ ticket_id: string }>(`SELECT ticket_id FROM scans WHERE result = 'admitted'`)).map(
        (r) => r.ticket_id,
      ),
    );
    const checkedIn = new Set(
      (await db<{ id: string }>(`SELECT id FROM tickets WHERE status = 'checked_in'`)).map((r) => r.id),
    );
    expect([...checkedIn].sort()).toEqual([...admittedRows].sort());
    for (const { code } of answers.filter((x) => x.kind === 'scan' && x.a.status === 200 && x.a.result === 'admitted'))
      expect(admittedRows.has(code!)).toBe(true);
    const paidOrders = new Set(
      (await db<{ id: string }>(`SELECT id FROM orders WHERE status = 'paid'`)).map((r) => r.id),
    );
    for (const { a } of answers.filter((x) => x.kind === 'pay' && x.a.status === 200))
      expect(paidOrders.has(a.body!.order_id as string)).toBe(true);
    const liveTwice = await db(
      `SELECT event_table_id FROM reservations WHERE status <> 'cancelled' GROUP BY event_table_id HAVING count(*) > 1`,
    );
    expect(liveTwice).toEqual([]);

    // The open stream came back by itself: a fresh snapshot, then live changes again.
    let resynced = false;
    // Read until a snapshot has come and everything queued after it is read too (table changes
    // committed after the resync may follow it).
    for (;;) {
      const m = await stream.next(10_000);
      if (m.event === 'snapshot') resynced = true;
      if (resynced && !stream.pending()) break;
    }
    expect(resynced).toBe(true);
    const last = tableIds[TABLES - 1]!;
    const placed = await server.call('POST', `/api/v1/events/${eventId}/orders`, {
      email: 'late@fault.test',
      name: 'Late',
      ga_quantity: 1,
      table_id: last,
    });
    expect(placed.status).toBe(201);
    expect(await stream.next(5_000)).toMatchObject({ event: 'table', data: { id: last, status: 'held' } });
    abort.abort();
  }, 180_000);
});
