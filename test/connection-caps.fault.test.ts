import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from './support/database.js';
import { addAccounts, stopVelvet, VELVET_BIN, type Running } from './support/process.js';

/**
 * Connections are capped (src/http/socket-gate.ts, floor-stream.routes.ts) so that no client, and
 * no crowd of live views, can take every file descriptor: with only 256 of them (`ulimit -n`), one
 * address is refused beyond its share with a clear 503, streams stop at their cap, and door scans
 * and `/healthz` still answer. Without the caps ~250 open streams made every new connection fail.
 */
let root: string;
let server: Running;
let base: URL;
const env = () => ({
  VELVET_DATA_DIR: join(root, 'data'),
  DATABASE_URL: undefined,
  PORT: '0',
  VELVET_MAX_CONNECTIONS_PER_ADDRESS: '40',
});
const opened: Array<Socket | ClientRequest> = [];

function call(
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; from?: string } = {},
): Promise<{ status: number | 'network'; body: string }> {
  return new Promise((resolve) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method,
        localAddress: opts.from,
        agent: false,
        timeout: 10_000,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 'network', body: '' }));
    req.end(payload);
  });
}

/** Opens a live availability stream from `from`: 200 once its snapshot arrives (kept open), or the refusal. */
function openStream(eventId: string, from: string): Promise<{ status: number | 'network'; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path: `/api/v1/events/${eventId}/availability/stream`,
        localAddress: from,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
          if (res.statusCode === 200 && body.includes('event: snapshot')) resolve({ status: 200, body: '' });
        });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', () => resolve({ status: 'network', body: '' }));
    req.end();
    opened.push(req);
  });
}

/** An idle TCP connection from `from`; resolves with what the server said before closing it, if anything. */
function idleSocket(from: string): Promise<{ socket: Socket; said: Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect({ host: base.hostname, port: Number(base.port), localAddress: from });
    opened.push(socket);
    let said = '';
    const closed = new Promise<string>((done) => socket.on('close', () => done(said)));
    socket.on('data', (d) => (said += d.toString()));
    socket.on('error', () => {});
    socket.on('connect', () => resolve({ socket, said: closed }));
  });
}

describe.skipIf(onPostgres)('connection caps with 256 file descriptors', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'velvet-caps-'));
    await addAccounts(env(), 'caps-password-1', [
      ['owner@caps.test', 'owner'],
      ['staff@caps.test', 'staff'],
    ]);
    const child = spawn('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" "${VELVET_BIN}" serve`], {
      env: { ...process.env, LOG_LEVEL: 'error', ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    while (!/listening on (http:\/\/\S+)/.test(out)) {
      if (child.exitCode !== null || Date.now() - started > 90_000)
        throw new Error(`velvet serve did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    base = new URL(/listening on (http:\/\/\S+)/.exec(out)![1]!);
    server = {
      child,
      output: () => out,
      exited: new Promise((r) => child.on('exit', r)),
      waitFor: () => Promise.reject(new Error('unused')),
    };
  }, 180_000);
  afterAll(async () => {
    for (const s of opened) s.destroy();
    await stopVelvet(server);
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'refuses one address beyond its share and streams beyond theirs, clearly, while scans and /healthz still answer',
    { timeout: 120_000 },
    async () => {
      const login = async (email: string) =>
        JSON.parse((await call('POST', '/api/v1/auth/login', { body: { email, password: 'caps-password-1' } })).body)
          .token as string;
      const owner = await login('owner@caps.test');
      const staff = await login('staff@caps.test');
      const now = Date.now();
      const created = await call('POST', '/api/v1/events', {
        token: owner,
        body: {
          name: 'Caps Night',
          starts_at: new Date(now - 3_600_000).toISOString(),
          ends_at: new Date(now + 5 * 3_600_000).toISOString(),
          currency: 'EUR',
          ga: { price_cents: 0, capacity: 100 },
          tiers: [],
          tables: [],
        },
      });
      expect(created.status, created.body).toBe(201);
      const eventId = JSON.parse(created.body).id as string;
      const placed = JSON.parse(
        (
          await call('POST', `/api/v1/events/${eventId}/orders`, {
            body: { email: 'g@caps.test', name: 'Guest', ga_quantity: 10 },
          })
        ).body,
      );
      const codes = JSON.parse(
        (await call('GET', `/api/v1/orders/${placed.order_id}`, { token: placed.manage_token })).body,
      ).tickets.map((t: { qr: string }) => t.qr) as string[];
      const scan = (i: number) =>
        call('POST', '/api/v1/scans', {
          token: staff,
          from: '127.0.9.1',
          body: { qr: codes[i], scanner_id: 'door-caps', event_id: eventId },
        });

      // One address: 40 connections, then a clear refusal (not a reset); everyone else still gets in.
      const idle = await Promise.all(Array.from({ length: 40 }, () => idleSocket('127.0.6.1')));
      const refused = await idleSocket('127.0.6.1');
      const said = await refused.said;
      expect(said).toMatch(/^HTTP\/1\.1 503/);
      expect(said).toContain('"code":"too_many_connections"');
      expect((await call('GET', '/healthz', { from: '127.0.9.2' })).status).toBe(200);
      for (const { socket } of idle) socket.destroy();

      // Live streams: 32 per address (the default), then 503; 96 in all (3/4 of 128), then 503.
      const first = await Promise.all(Array.from({ length: 32 }, () => openStream(eventId, '127.0.4.1')));
      expect(first.every((s) => s.status === 200)).toBe(true);
      const over = await openStream(eventId, '127.0.4.1');
      expect(over.status).toBe(503);
      expect(JSON.parse(over.body).error).toMatchObject({
        code: 'too_many_connections',
        message: expect.stringContaining('Your address'),
      });
      const crowd = await Promise.all(Array.from({ length: 70 }, (_, i) => openStream(eventId, `127.0.5.${i + 1}`)));
      expect(crowd.filter((s) => s.status === 200)).toHaveLength(64);
      expect(crowd.filter((s) => s.status === 503)).toHaveLength(6);

      // Every stream the server serves is open: the door and the health check still answer.
      for (let i = 0; i < 5; i++) {
        const answer = await scan(i);
        expect(answer.status, answer.body).toBe(200);
        expect(JSON.parse(answer.body).result).toBe('admitted');
      }
      expect((await call('GET', '/healthz', { from: '127.0.9.3' })).status).toBe(200);
      expect(server.child.exitCode).toBeNull();
      expect(server.output()).not.toMatch(/EMFILE|too many open files/i);
    },
  );
});
