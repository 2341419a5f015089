import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from './support/database.js';
import { addAccounts, runVelvet, stopVelvet, type Running } from './support/process.js';

/**
 * A login flood (each attempt a 128 MB scrypt hash) must cost the flooder, never the door: the
 * door's assets and scans stay fast while 200 wrong-password logins arrive from 20 addresses, 40
 * at a time, and the embedded database's lock stays with the server (a second process is still
 * refused). Before hashing had its own line, this stalled static files for ~70 s and let a second
 * process take the data directory. A real `velvet serve` on the embedded database.
 */
let root: string;
let server: Running;
let base: string;
const env = () => ({ VELVET_DATA_DIR: join(root, 'data'), DATABASE_URL: undefined, PORT: '0' });

interface Timed {
  status: number | 'network';
  ms: number;
  body: string;
}

/** One HTTP request from `from` (a loopback address: each is a client of its own), timed. */
function timed(
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; from?: string } = {},
): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolve) => {
    const url = new URL(path, base);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        localAddress: opts.from,
        timeout: 20_000,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - started, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 'network', ms: performance.now() - started, body: '' }));
    req.end(payload);
  });
}

async function login(email: string): Promise<string> {
  const res = await timed('POST', '/api/v1/auth/login', { body: { email, password: 'flood-password-1' } });
  expect(res.status, res.body).toBe(200);
  return JSON.parse(res.body).token;
}

const count = (xs: Array<number | string>) =>
  xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

describe.skipIf(onPostgres)('a login flood (embedded database; Node thread pool)', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'velvet-flood-'));
    await addAccounts(env(), 'flood-password-1', [
      ['owner@flood.test', 'owner'],
      ['staff@flood.test', 'staff'],
    ]);
    server = runVelvet(['serve'], env());
    base = (await server.waitFor(/listening on (http:\/\/\S+)/, 90_000))[1]!;
  }, 180_000);
  afterAll(async () => {
    await stopVelvet(server);
    rmSync(root, { recursive: true, force: true });
  });

  it(
    "never slows the door: assets and scans answer within the scanner's offline switch, and the data directory stays locked",
    { timeout: 180_000 },
    async () => {
      const owner = await login('owner@flood.test');
      const staff = await login('staff@flood.test');
      const now = Date.now();
      const created = await timed('POST', '/api/v1/events', {
        token: owner,
        body: {
          name: 'Flood Night',
          starts_at: new Date(now - 3_600_000).toISOString(),
          ends_at: new Date(now + 5 * 3_600_000).toISOString(),
          currency: 'EUR',
          ga: { price_cents: 0, capacity: 500 },
          tiers: [],
          tables: [],
        },
      });
      expect(created.status, created.body).toBe(201);
      const eventId = JSON.parse(created.body).id as string;
      // A free night: orders are confirmed at once, so codes come straight back.
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) {
        const placed = await timed('POST', `/api/v1/events/${eventId}/orders`, {
          from: `127.0.1.${i + 1}`,
          body: { email: `g${i}@flood.test`, name: `Guest ${i}`, ga_quantity: 10 },
        });
        expect(placed.status, placed.body).toBe(201);
        const { order_id, manage_token } = JSON.parse(placed.body);
        const view = JSON.parse((await timed('GET', `/api/v1/orders/${order_id}`, { token: manage_token })).body);
        codes.push(...view.tickets.map((t: { qr: string }) => t.qr));
      }
      const door = (await timed('GET', '/door')).body;
      const bundle = /<script[^>]+src="([^"]+\.js)"/.exec(door)![1]!;

      let next = 0;
      const probe = async () => [
        await timed('GET', '/manifest.webmanifest'),
        await timed('GET', bundle),
        await timed('POST', '/api/v1/scans', {
          token: staff,
          body: { qr: codes[next++ % codes.length], scanner_id: 'door-flood', event_id: eventId },
        }),
      ];
      const baseline = (await Promise.all([probe(), probe()])).flat();
      expect(baseline.map((b) => b.status)).toEqual([200, 200, 200, 200, 200, 200]);

      // 200 wrong-password logins from 20 addresses (10 each: the per-address limit), 40 at a time.
      const attempts = Array.from({ length: 200 }, (_, i) => `127.0.2.${(i % 20) + 1}`);
      const floodAnswers: Array<number | 'network'> = [];
      const flood = Promise.all(
        Array.from({ length: 40 }, async () => {
          for (let from = attempts.pop(); from; from = attempts.pop()) {
            floodAnswers.push(
              (
                await timed('POST', '/api/v1/auth/login', {
                  from,
                  body: { email: 'owner@flood.test', password: 'wrong-guess' },
                })
              ).status,
            );
          }
        }),
      );
      const during: Timed[] = [];
      let intruder: Running | undefined;
      let flooding = true;
      void flood.then(() => (flooding = false));
      while (flooding) {
        intruder ??= runVelvet(
          ['user', 'add', '--email', 'intruder@flood.test', '--password', 'flood-password-1', '--role', 'owner'],
          env(),
        );
        during.push(...(await probe()));
        await new Promise((r) => setTimeout(r, 100));
      }
      await flood;

      expect(new Set(floodAnswers)).not.toContain('network');
      expect(floodAnswers.every((s) => s === 401 || s === 429 || s === 503)).toBe(true);
      expect(during.length).toBeGreaterThanOrEqual(6);
      expect(during.filter((d) => d.status !== 200)).toEqual([]);
      // The scanner goes offline after 1.5 s without an answer: nothing here may come near it.
      const slowest = Math.max(...during.map((d) => d.ms));
      console.log(
        `login flood: ${during.length} door requests, slowest ${slowest.toFixed(0)} ms; flood answers ${JSON.stringify(count(floodAnswers))}`,
      );
      expect(slowest, `slowest answer during the flood: ${slowest.toFixed(0)} ms`).toBeLessThan(1_500);
      // The hashing line was full at times: refused at once, not queued behind the door.
      expect(floodAnswers.filter((s) => s === 503).length).toBeGreaterThan(0);

      expect(await intruder!.exited).toBe(1);
      expect(intruder!.output()).toContain('Another Velvet process');
      expect(server.output()).not.toContain('lost the lock');
      expect((await timed('GET', '/healthz')).status).toBe(200);
    },
  );
});
