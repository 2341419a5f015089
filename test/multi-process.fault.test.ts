import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, onPostgres } from './support/database.js';
import { account, loadLoops, startLiveServer, type Answer, type LiveServer } from './support/live-server.js';
import { startTestPushService } from './support/push-service.js';
import { SseReader } from './support/sse.js';

/**
 * Velvet as it runs in production: several `velvet serve` processes on one PostgreSQL, and
 * processes that die without warning (SIGKILL). Checked from the tables at the end of each test.
 */

let scratch: { url: string; drop: () => Promise<void> };
let env: Record<string, string>;
let owner: string;
let staff: string;
const servers: LiveServer[] = [];

async function q<T extends pg.QueryResultRow>(query: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    return (await client.query<T>(query, params)).rows;
  } finally {
    await client.end();
  }
}

async function serve(extra: Record<string, string> = {}): Promise<LiveServer> {
  const s = await startLiveServer({ ...env, ...extra });
  servers.push(s);
  return s;
}

function eventBody(name: string, startsInMs: number, tables: number) {
  const now = Date.now();
  return {
    name,
    starts_at: new Date(now + startsInMs).toISOString(),
    ends_at: new Date(now + startsInMs + 6 * 3600_000).toISOString(),
    currency: 'EUR',
    ga: { price_cents: 1000, capacity: 5000 },
    tiers: [{ name: 'Gold', price_cents: 5000, capacity: 4 }],
    tables: Array.from({ length: tables }, (_, i) => ({
      number: i + 1,
      tier: 'Gold',
      x: (i % 10) * 100,
      y: Math.floor(i / 10) * 100,
    })),
  };
}

async function createEvent(s: LiveServer, name: string, startsInMs: number, tables: number) {
  const res = await s.call('POST', '/api/v1/events', eventBody(name, startsInMs, tables), owner);
  expect(res.status).toBe(201);
  return { id: res.body!.id as string, tables: (res.body!.tables as Array<{ id: string }>).map((t) => t.id) };
}

async function buyGa(
  s: LiveServer,
  eventId: string,
  n: number,
): Promise<Array<{ orderId: string; ticketId: string; qr: string }>> {
  const out = [];
  for (let i = 0; i < n; i += 25) {
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, n - i) }, async (_, j) => {
          const placed = await s.call('POST', `/api/v1/events/${eventId}/orders`, {
            email: `b${i + j}-${eventId.slice(0, 6)}@mp.test`,
            name: `Buyer ${i + j}`,
            ga_quantity: 1,
          });
          expect(placed.status).toBe(201);
          const paid = await s.call(
            'POST',
            `/api/v1/orders/${placed.body!.order_id}/pay-local`,
            undefined,
            placed.body!.manage_token as string,
          );
          const t = (paid.body!.tickets as Array<{ id: string; qr: string }>)[0]!;
          return { orderId: placed.body!.order_id as string, ticketId: t.id, qr: t.qr };
        }),
      )),
    );
  }
  return out;
}

describe.skipIf(!onPostgres)('several processes, and processes killed (PostgreSQL runs only)', () => {
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    env = { DATABASE_URL: scratch.url, VELVET_SWEEP_INTERVAL_MS: '300', VELVET_LOGIN_ATTEMPTS_PER_MINUTE: '100' };
    const first = await serve();
    owner = await account(first, env, 'owner@mp.test', 'owner');
    staff = await account(first, env, 'staff@mp.test', 'staff');
  }, 120_000);
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('two processes, one database: door rush, table drop and cancellation keep every invariant, and a stream on one sees changes made on the other', async () => {
    const [p1, p2] = [servers[0] ?? (await serve()), await serve()];
    const night = await createEvent(p1, 'Tonight', -3600_000, 30);
    const doomed = await createEvent(p2, 'Doomed', 7 * 86400_000, 5);
    const tickets = await buyGa(p1, night.id, 200);
    const doomedOrders = await buyGa(p2, doomed.id, 40);

    const abort = new AbortController();
    const stream = new SseReader(
      await fetch(`${p2.base}/api/v1/events/${night.id}/floor-plan/stream?token=${owner}`, { signal: abort.signal }),
    );
    expect((await stream.next()).event).toBe('snapshot');

    const answers: Array<{ kind: string; a: Answer; key: string }> = [];
    // Door: every code scanned twice, once through each process, by racing scanners.
    const scans = tickets.flatMap((t) => [
      { t, via: p1 },
      { t, via: p2 },
    ]);
    const door = loadLoops(12, async (i) => {
      const next = scans.shift();
      if (!next) return new Promise((r) => setTimeout(r, 10));
      const a = await next.via.call(
        'POST',
        '/api/v1/scans',
        { qr: next.t.qr, scanner_id: `door-${i}`, event_id: night.id },
        staff,
      );
      answers.push({ kind: 'scan', a, key: next.t.ticketId });
    });
    // Table drop: 4 buyers per table, half through each process.
    const attempts = night.tables.flatMap((tableId, n) =>
      [0, 1, 2, 3].map((k) => ({ tableId, via: k % 2 ? p1 : p2, email: `t${n}-${k}@mp.test` })),
    );
    const drop = loadLoops(12, async () => {
      const next = attempts.shift();
      if (!next) return new Promise((r) => setTimeout(r, 10));
      const a = await next.via.call('POST', `/api/v1/events/${night.id}/orders`, {
        email: next.email,
        name: 'Drop',
        ga_quantity: 1,
        table_id: next.tableId,
      });
      answers.push({ kind: 'hold', a, key: next.tableId });
    });
    // Meanwhile the owner cancels the other event through one process.
    const preview = await p1.call('GET', `/api/v1/events/${doomed.id}/cancellation`, undefined, owner);
    const cancel = await p1.call(
      'POST',
      `/api/v1/events/${doomed.id}/cancel`,
      { confirmation_token: preview.body!.confirmation_token },
      owner,
    );
    expect(cancel.status).toBe(202);
    while (scans.length || attempts.length) await new Promise((r) => setTimeout(r, 50));
    await Promise.all([door.stop(), drop.stop()]);

    // Nothing but expected answers.
    expect(
      answers.filter(
        ({ a }) => a.status !== 200 && a.status !== 201 && !(a.status === 409 && a.code === 'table_unavailable'),
      ),
    ).toEqual([]);
    // One admission per GA code across both processes.
    for (const t of tickets) {
      const results = answers
        .filter((x) => x.kind === 'scan' && x.key === t.ticketId)
        .map((x) => x.a.result)
        .sort();
      expect(results).toEqual(['admitted', 'rejected']);
    }
    expect(
      await q(`SELECT ticket_id FROM scans WHERE result = 'admitted' GROUP BY ticket_id HAVING count(*) > 1`),
    ).toEqual([]);
    // One hold per table.
    for (const tableId of night.tables)
      expect(answers.filter((x) => x.kind === 'hold' && x.key === tableId && x.a.status === 201)).toHaveLength(1);
    expect(
      await q(
        `SELECT event_table_id FROM reservations WHERE status <> 'cancelled' GROUP BY event_table_id HAVING count(*) > 1`,
      ),
    ).toEqual([]);
    // One refund per order of the cancelled event, paid by whichever process's worker got to it.
    await expect
      .poll(
        async () =>
          (
            await q<{ n: number }>(
              `SELECT count(*)::int AS n FROM refunds WHERE event_id = $1 AND status = 'succeeded'`,
              [doomed.id],
            )
          )[0]!.n,
        { timeout: 30_000 },
      )
      .toBe(doomedOrders.length);
    expect(await q(`SELECT order_id FROM refunds GROUP BY order_id HAVING count(*) > 1`)).toEqual([]);
    expect(
      (
        await q<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE event_id = $1 AND status = 'refunded'`, [
          doomed.id,
        ])
      )[0]!.n,
    ).toBe(doomedOrders.length);

    // The stream on process 2 saw the holds made through process 1 (every table went held).
    const held = new Set<string>();
    while (held.size < night.tables.length) {
      const m = await stream.next(10_000);
      if (m.event === 'table' && (m.data as { status: string }).status === 'held')
        held.add((m.data as { id: string }).id);
    }
    abort.abort();
  }, 240_000);

  it('two processes send exactly one notification per guest arrival to each of the host’s devices, whichever process admitted the guest', async () => {
    const push = await startTestPushService();
    try {
      const pushEnv = { VELVET_PUSH_ALLOW_HTTP: '1' };
      const [p1, p2] = [await serve(pushEnv), await serve(pushEnv)];
      const night = await createEvent(p1, 'Arrivals', -600_000, 1);
      const table = await p1.call('POST', `/api/v1/events/${night.id}/orders`, {
        email: 'host@mp.test',
        name: 'Hannah Host',
        ga_quantity: 1,
        table_id: night.tables[0],
      });
      const paid = await p1.call(
        'POST',
        `/api/v1/orders/${table.body!.order_id}/pay-local`,
        undefined,
        table.body!.manage_token as string,
      );
      const reservationId = (paid.body!.reservation as { id: string }).id;
      const key = (await p2.call('GET', '/api/v1/push/public-key')).body!.public_key as string;
      const devices = [push.subscribe(key), push.subscribe(key)];
      for (const d of devices)
        expect(
          (
            await p1.call(
              'PUT',
              `/api/v1/reservations/${reservationId}/push-subscription`,
              d,
              table.body!.manage_token as string,
            )
          ).status,
        ).toBe(200);
      // Three guests put on the list at the door (the night has begun), then each scanned by both processes at once.
      const guests = await buyGa(p2, night.id, 3);
      for (const g of guests)
        expect(
          (await p2.call('POST', `/api/v1/reservations/${reservationId}/guests`, { ticket_id: g.ticketId }, staff))
            .status,
        ).toBe(200);
      const answers = await Promise.all(
        guests.flatMap((g) =>
          [p1, p2].map((p, i) =>
            p.call('POST', '/api/v1/scans', { qr: g.qr, scanner_id: `door-${i}`, event_id: night.id }, staff),
          ),
        ),
      );
      expect(answers.map((a) => a.result).sort()).toEqual([
        'admitted',
        'admitted',
        'admitted',
        'reentry',
        'reentry',
        'reentry',
      ]);

      await push.waitFor(6, 30_000);
      await expect
        .poll(
          async () => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM pushes WHERE status = 'sent'`))[0]!.n,
          { timeout: 15_000 },
        )
        .toBe(6);
      // Every push is recorded sent (no lease left to run out), so none is coming again.
      expect(await q(`SELECT id FROM pushes WHERE status <> 'sent' OR lease_token IS NOT NULL`)).toEqual([]);
      const tags = push.received.map((r) => `${r.subscription} ${(r.payload as { tag: string }).tag}`);
      expect(new Set(tags).size).toBe(6);
      expect(push.received).toHaveLength(6);
    } finally {
      await push.close();
    }
  }, 120_000);

  it('two processes offer a waitlist the places lapsing holds free while buyers race: never more offered than free, first come first offered', async () => {
    // Every order here comes from one address: the per-client limits are another test's subject.
    const holdEnv = {
      VELVET_HOLD_SECONDS: '2',
      VELVET_SWEEP_INTERVAL_MS: '200',
      VELVET_UNPAID_TICKETS_PER_ADDRESS: '100000',
      VELVET_HOLD_SHARE: '1',
      VELVET_ORDERS_PER_MINUTE_PER_ADDRESS: '100000',
    };
    const [p1, p2] = [await serve(holdEnv), await serve(holdEnv)];
    const created = await p1.call(
      'POST',
      '/api/v1/events',
      { ...eventBody('Waitlisted', 3600_000, 0), ga: { price_cents: 1000, capacity: 24 } },
      owner,
    );
    expect(created.status).toBe(201);
    const night = { id: created.body!.id as string };
    // Sold out by holds nobody pays: they lapse in 2 s.
    for (let i = 0; i < 6; i++)
      expect(
        (
          await p1.call('POST', `/api/v1/events/${night.id}/orders`, {
            email: `h${i}@mp.test`,
            name: 'H',
            ga_quantity: 4,
          })
        ).status,
      ).toBe(201);
    for (let i = 0; i < 16; i++) {
      const joined = await [p1, p2][i % 2]!.call('POST', `/api/v1/events/${night.id}/waitlist`, {
        email: `w${i}@mp.test`,
        name: `W${i}`,
        quantity: 1 + (i % 3),
      });
      expect(joined.status).toBe(201);
    }
    // While both processes' sweepers release the holds and offer the places, buyers try both processes.
    let k = 0;
    const buyers = loadLoops(6, async () => {
      const n = k++;
      await [p1, p2][n % 2]!.call('POST', `/api/v1/events/${night.id}/orders`, {
        email: `r${n}@mp.test`,
        name: 'R',
        ga_quantity: 1,
      });
    });
    await expect
      .poll(
        async () =>
          (
            await q<{ n: number }>(
              `SELECT count(*)::int AS n FROM orders WHERE event_id = $1 AND email LIKE 'h%' AND status = 'pending'`,
              [night.id],
            )
          )[0]!.n,
        { timeout: 30_000 },
      )
      .toBe(0);
    await buyers.stop();
    // Settled: no hold of the first wave is left, and the passes have run on what the buyers left.
    await expect
      .poll(
        async () =>
          (
            await q(
              `SELECT 1 FROM events e WHERE e.id = $1 AND e.ga_sold < e.ga_capacity AND EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.event_id = e.id AND w.status = 'waiting' AND w.created_at = (SELECT min(created_at) FROM waitlist_entries x WHERE x.event_id = e.id AND x.status = 'waiting') AND w.quantity <= e.ga_capacity - e.ga_sold)`,
              [night.id],
            )
          ).length,
        { timeout: 15_000 },
      )
      .toBe(0);

    const [counts] = await q<{ ga_sold: number; ga_capacity: number; held: number }>(
      `SELECT ga_sold, ga_capacity, (SELECT coalesce(sum(ga_quantity), 0)::int FROM orders WHERE event_id = $1 AND status IN ('pending', 'paid')) AS held FROM events WHERE id = $1`,
      [night.id],
    );
    expect(counts!.ga_sold).toBeLessThanOrEqual(counts!.ga_capacity);
    expect(counts!.held).toBe(counts!.ga_sold);
    const offers = await q<{ created_at: Date; order_status: string }>(
      `SELECT w.created_at, o.status AS order_status FROM waitlist_entries w JOIN orders o ON o.id = w.order_id WHERE w.event_id = $1 ORDER BY w.created_at`,
      [night.id],
    );
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.every((o) => o.order_status === 'pending')).toBe(true);
    // First come, first offered: everyone offered joined before everyone still waiting.
    const [firstWaiting] = await q<{ created_at: Date }>(
      `SELECT min(created_at) AS created_at FROM waitlist_entries WHERE event_id = $1 AND status = 'waiting'`,
      [night.id],
    );
    if (firstWaiting?.created_at) expect(offers.every((o) => o.created_at < firstWaiting.created_at)).toBe(true);
  }, 120_000);

  it('SIGKILL in the middle of a table drop and of hold expiry: no table sold twice, no hold stuck past its expiry after a restart', async () => {
    const holdEnv = { VELVET_HOLD_SECONDS: '2', VELVET_SWEEP_INTERVAL_MS: '200' };
    const s1 = await serve(holdEnv);
    const event = await createEvent(s1, 'Killed Drop', -3600_000, 20);
    let n = 0;
    const answers: Answer[] = [];
    const drop = loadLoops(10, async () => {
      const k = n++;
      answers.push(
        await s1.call('POST', `/api/v1/events/${event.id}/orders`, {
          email: `k${k}@mp.test`,
          name: 'K',
          ga_quantity: 2,
          table_id: event.tables[k % 20],
        }),
      );
    });
    await new Promise((r) => setTimeout(r, 700));
    s1.proc.child.kill('SIGKILL'); // mid table drop
    await drop.stop();
    await s1.proc.exited;
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(0);

    // Restart: the holds lapse (2 s) and the sweeper starts releasing; kill it again while it does.
    const s2 = await serve(holdEnv);
    await expect
      .poll(
        async () =>
          (
            await q<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE event_id = $1 AND status = 'expired'`, [
              event.id,
            ])
          )[0]!.n,
        { timeout: 20_000, interval: 20 },
      )
      .toBeGreaterThan(0);
    s2.proc.child.kill('SIGKILL');
    await s2.proc.exited;

    const s3 = await serve(holdEnv);
    // After the restart every lapsed hold is released, the tables are free, and GA stock adds up.
    // (Every hold was placed before the first kill, so every one has lapsed by now or soon.)
    await expect
      .poll(
        async () =>
          (
            await q<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE event_id = $1 AND status = 'pending'`, [
              event.id,
            ])
          )[0]!.n,
        { timeout: 20_000 },
      )
      .toBe(0);
    const [latest] = await q<{ at: Date }>(`SELECT max(updated_at) AS at FROM orders WHERE event_id = $1`, [event.id]);
    const [lapsed] = await q<{ at: Date }>(`SELECT max(expires_at) AS at FROM orders WHERE event_id = $1`, [event.id]);
    // Released soon after they lapsed (the sweeper runs every 200 ms), not left for a later chance.
    expect(new Date(latest!.at).getTime() - new Date(lapsed!.at).getTime()).toBeLessThan(10_000);
    expect(
      await q(
        `SELECT event_table_id FROM reservations WHERE status <> 'cancelled' GROUP BY event_table_id HAVING count(*) > 1`,
      ),
    ).toEqual([]);
    const live = await q(
      `SELECT r.id FROM reservations r JOIN orders o ON o.id = r.order_id WHERE o.event_id = $1 AND r.status <> 'cancelled'`,
      [event.id],
    );
    expect(live).toEqual([]);
    const [stock] = await q<{ ga_sold: number; held: number }>(
      `SELECT e.ga_sold, COALESCE((SELECT sum(ga_quantity) FROM orders o WHERE o.event_id = e.id AND o.status IN ('pending', 'paid')), 0)::int AS held FROM events e WHERE e.id = $1`,
      [event.id],
    );
    expect(stock!.ga_sold).toBe(stock!.held);
    // And it sells again.
    const again = await s3.call('POST', `/api/v1/events/${event.id}/orders`, {
      email: 'after@mp.test',
      name: 'After',
      ga_quantity: 1,
      table_id: event.tables[0],
    });
    expect(again.status).toBe(201);
  }, 120_000);
});
