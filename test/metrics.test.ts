import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from './support/database.js';
import { addAccounts, runVelvet, stopVelvet, type Running } from './support/process.js';

/**
 * `GET /metrics` on a real `velvet serve` (embedded database, backing itself up every 2 s), read
 * with a real parser of Prometheus' text format after a small night: every figure moved as the
 * night did, and only the scraper's token opens it.
 */
const TOKEN = 'metrics-test-token-0123456789';
let root: string;
let server: Running;
let base: string;
const env = () => ({
  VELVET_DATA_DIR: join(root, 'data'),
  DATABASE_URL: undefined,
  PORT: '0',
  VELVET_METRICS_TOKEN: TOKEN,
  VELVET_BACKUP_INTERVAL: '2s',
  VELVET_HOLD_SECONDS: '2',
  VELVET_SWEEP_INTERVAL_MS: '300',
});

async function call(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

class Scrape {
  constructor(private readonly families: PromFamily[]) {}
  private family(name: string) {
    const f = this.families.find((x) => x.name === name);
    if (!f) throw new Error(`no metric ${name}`);
    return f;
  }
  value(name: string, labels: Record<string, string> = {}): number {
    const samples = this.family(name).metrics.filter((m) =>
      Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
    );
    return samples.reduce((n, m) => n + Number(m.value ?? m.count ?? 0), 0);
  }
  has(name: string): boolean {
    return this.families.some((x) => x.name === name && x.metrics.length > 0);
  }
}

async function scrape(): Promise<Scrape> {
  const res = await call('GET', '/metrics', { token: TOKEN });
  expect(res.status).toBe(200);
  return new Scrape(parsePrometheusTextFormat(res.text));
}

describe.skipIf(onPostgres)('metrics (embedded database, a real server)', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'velvet-metrics-'));
    await addAccounts(env(), 'metrics-password-1', [
      ['owner@metrics.test', 'owner'],
      ['staff@metrics.test', 'staff'],
    ]);
    server = runVelvet(['serve'], env());
    base = (await server.waitFor(/listening on (http:\/\/\S+)/, 90_000))[1]!;
  }, 180_000);
  afterAll(async () => {
    await stopVelvet(server);
    rmSync(root, { recursive: true, force: true });
  });

  it("only the scraper's token opens it", async () => {
    expect((await call('GET', '/metrics')).status).toBe(401);
    expect((await call('GET', '/metrics', { token: `${TOKEN}x` })).status).toBe(401);
    expect((await call('GET', '/metrics', { token: TOKEN })).status).toBe(200);
  });

  it('after a small night every figure moved as it should', { timeout: 120_000 }, async () => {
    const login = async (email: string) =>
      (await call('POST', '/api/v1/auth/login', { body: { email, password: 'metrics-password-1' } })).json()
        .token as string;
    const owner = await login('owner@metrics.test');
    const staff = await login('staff@metrics.test');
    const before = await scrape();

    const now = Date.now();
    const created = await call('POST', '/api/v1/events', {
      token: owner,
      body: {
        name: 'Metrics Night',
        starts_at: new Date(now - 3_600_000).toISOString(),
        ends_at: new Date(now + 5 * 3_600_000).toISOString(),
        currency: 'EUR',
        ga: { price_cents: 1000, capacity: 100 },
        tiers: [{ name: 'Gold', price_cents: 5000, capacity: 4 }],
        tables: [{ number: 1, tier: 'Gold', x: 10, y: 10 }],
      },
    });
    expect(created.status, created.text).toBe(201);
    const event = created.json();
    const buy = async (body: Record<string, unknown>, pay = true) => {
      const placed = (
        await call('POST', `/api/v1/events/${event.id}/orders`, {
          body: { email: `b${Math.random()}@metrics.test`, name: 'Buyer', ga_quantity: 1, ...body },
        })
      ).json();
      if (!pay) return placed;
      return (await call('POST', `/api/v1/orders/${placed.order_id}/pay-local`, { token: placed.manage_token })).json();
    };
    const a = await buy({ ga_quantity: 3 });
    await buy({ table_id: event.tables[0].id });
    await buy({}, false); // never paid: its hold lapses after 2 s
    const [t1, t2, t3] = a.tickets as Array<{ id: string; qr: string }>;
    const scan = (body: Record<string, unknown>) =>
      call('POST', '/api/v1/scans', { token: staff, body: { scanner_id: 'door-m', event_id: event.id, ...body } });
    expect((await scan({ qr: t1!.qr })).json().result).toBe('admitted');
    expect((await scan({ qr: t1!.qr })).json().result).toBe('rejected');
    expect((await scan({ ticket_id: t2!.id })).json().result).toBe('admitted');
    // Offline: t1 again, admitted by a door that did not know: a conflict.
    const batch = await call('POST', '/api/v1/scans/batch', {
      token: staff,
      body: {
        scanner_id: 'door-off',
        event_id: event.id,
        scans: [
          { qr: t1!.qr, scanned_at: new Date().toISOString(), offline_result: 'admitted' },
          { qr: t3!.qr, scanned_at: new Date().toISOString(), offline_result: 'admitted' },
        ],
      },
    });
    expect(batch.json().conflicts).toBe(1);
    const stream = new AbortController();
    const open = await fetch(`${base}/api/v1/events/${event.id}/availability/stream`, { signal: stream.signal });
    expect(open.status).toBe(200);
    // The unpaid hold lapses after 2 s and a backup is taken every 2 s: wait until both have
    // happened (a loaded machine may take longer than the settings say), then read everything.
    let after = await scrape();
    const movedIn = (s: Scrape, name: string, labels: Record<string, string> = {}) =>
      s.value(name, labels) - before.value(name, labels);
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if (
        movedIn(after, 'velvet_orders_total', { outcome: 'expired' }) >= 1 &&
        after.value('velvet_backup_last_ok') === 1
      )
        break;
      await new Promise((r) => setTimeout(r, 250));
      after = await scrape();
    }
    stream.abort();
    const moved = (name: string, labels: Record<string, string> = {}) => movedIn(after, name, labels);
    expect(moved('velvet_scans_total', { result: 'admitted', method: 'code', mode: 'online' })).toBe(1);
    expect(moved('velvet_scans_total', { result: 'rejected', method: 'code', mode: 'online' })).toBe(1);
    expect(moved('velvet_scans_total', { result: 'admitted', method: 'manual', mode: 'online' })).toBe(1);
    expect(moved('velvet_scans_total', { mode: 'offline' })).toBe(2);
    expect(moved('velvet_scan_duration_seconds')).toBe(3);
    expect(moved('velvet_offline_conflicts_total')).toBe(1);
    expect(moved('velvet_orders_total', { outcome: 'placed' })).toBe(3);
    expect(moved('velvet_orders_total', { outcome: 'paid' })).toBe(2);
    expect(moved('velvet_orders_total', { outcome: 'expired' })).toBe(1);
    expect(moved('velvet_table_holds_total')).toBe(1);
    expect(moved('velvet_http_responses_total', { status: '201' })).toBeGreaterThanOrEqual(4);
    expect(after.value('velvet_streams_open')).toBe(1);
    expect(after.value('velvet_connections_open')).toBeGreaterThanOrEqual(1);
    expect(after.value('velvet_backup_last_ok')).toBe(1);
    expect(after.value('velvet_backup_age_seconds')).toBeLessThan(60);
    expect(after.value('velvet_db_pool_waiting')).toBe(0);
    for (const gauge of [
      'velvet_refunds_pending',
      'velvet_refunds_failed',
      'velvet_mails_pending',
      'velvet_mails_failed',
      'velvet_db_connection_errors_total',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(after.has(gauge), gauge).toBe(true);
    }
  });
});
