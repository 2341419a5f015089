import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createScratchDatabase, migratedDataDir, onPostgres } from './support/database.js';
import { runVelvet } from './support/process.js';

/**
 * The commands a new user types, run as real processes on a fresh embedded data directory:
 * `velvet demo` serves the demo, a second server on the same directory refuses to start, SIGTERM
 * shuts down cleanly, the data survives a restart, and `velvet user add` creates a login.
 */
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'velvet-cli-'));
  // How a new data directory is made is the migrate test's subject; the rest start from a made one.
  await migratedDataDir(join(dir, 'data'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (port: number) => ({
  VELVET_DATA_DIR: join(dir, 'data'),
  PORT: String(port),
  DATABASE_URL: undefined,
  VELVET_TIME_ZONE: 'Europe/Berlin',
});

describe('velvet CLI on the embedded database', () => {
  it(
    'demo: serves /healthz and the demo event, guards its data directory, stops cleanly',
    { timeout: 180_000 },
    async () => {
      const server = runVelvet(['demo'], env(38_471));
      try {
        // A cold start (PGlite, nine migrations, the demo's data) on a loaded two-core CI box can take 30 s.
        await server.waitFor(/a VIP order/, 90_000);
        const health = await fetch('http://127.0.0.1:38471/healthz');
        expect(await health.json()).toEqual({ status: 'ok', database: 'pglite' });

        const events = await (await fetch('http://127.0.0.1:38471/api/v1/events')).json();
        // A club's week: tonight's session (open at the door now), Friday and Saturday at 23:00 local.
        const names = events.events.map((e: { name: string }) => e.name);
        expect(names).toHaveLength(3);
        expect(names[0]).toMatch(/^(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day (Late: House & Disco|Terrace Session)$/);
        const local = (iso: string) =>
          new Intl.DateTimeFormat('en-GB', {
            timeZone: 'Europe/Berlin',
            weekday: 'long',
            hour: '2-digit',
            minute: '2-digit',
            hourCycle: 'h23',
          }).format(new Date(iso));
        const weekend = events.events.filter((e: { name: string }) => /^(Friday|Saturday):/.test(e.name));
        expect(
          weekend
            .map((e: { name: string; starts_at: string }) => `${e.name.split(':')[0]} ${local(e.starts_at)}`)
            .sort(),
        ).toEqual(['Friday Friday 23:00', 'Saturday Saturday 23:00']);

        const owner = server.output().match(/owner login\s+(\S+) \/ (\S+)/)!;
        const login = await fetch('http://127.0.0.1:38471/api/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: owner[1], password: owner[2] }),
        });
        expect(login.status).toBe(200);
        expect((await login.json()).role).toBe('owner');

        // The printed VIP order link is the buyer's page, its capability in the fragment.
        const [, orderId, token] = server
          .output()
          .match(/a VIP order\s+http:\/\/localhost:38471\/orders\/(\S+)#token=(\S+)/)!;
        const order = await (
          await fetch(`http://127.0.0.1:38471/api/v1/orders/${orderId}`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json();
        expect(order.status).toBe('paid');
        // Victor's table is full and he is in, with four of his seven guests.
        expect(order.reservation.status).toBe('checked_in');
        expect(order.reservation.guests).toHaveLength(7);
        expect(order.reservation.guests.filter((g: { arrived: boolean }) => g.arrived)).toHaveLength(4);

        // Without SMTP_URL the buyer's mail lands as an .eml file where the banner says.
        const mailDir = server.output().match(/mail written as \.eml files to (\S+)/)![1]!;
        await expect
          .poll(() => (existsSync(mailDir) ? readdirSync(mailDir) : []), { timeout: 10_000 })
          .toContain(`order_paid.${orderId}_velvet.mail.eml`);

        const second = runVelvet(['serve'], env(38_472));
        expect(await second.exited).toBe(1);
        expect(second.output()).toMatch(
          new RegExp(
            `Another Velvet process \\(pid ${server.child.pid}, running since [^)]+\\) is using the data directory`,
          ),
        );
      } finally {
        server.child.kill('SIGTERM');
      }
      expect(await server.exited).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['data']);
    },
  );

  it('user add creates an account that can log in, and the data survives a restart', async () => {
    const add = runVelvet(
      ['user', 'add', '--email', 'Door2@Example.com', '--password', 'door-secret', '--role', 'staff'],
      env(0),
    );
    expect(await add.exited).toBe(0);
    expect(add.output()).toContain('Created staff account door2@example.com');

    const dup = runVelvet(
      ['user', 'add', '--email', 'door2@example.com', '--password', 'door-secret', '--role', 'staff'],
      env(0),
    );
    expect(await dup.exited).toBe(1);
    expect(dup.output()).toContain('already exists');

    const badRole = runVelvet(
      ['user', 'add', '--email', 'x@example.com', '--password', 'door-secret', '--role', 'king'],
      env(0),
    );
    expect(await badRole.exited).not.toBe(0);

    const server = runVelvet(['serve'], env(38_473));
    try {
      await server.waitFor(/listening on/);
      const login = await fetch('http://127.0.0.1:38473/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'door2@example.com', password: 'door-secret' }),
      });
      expect(login.status).toBe(200);
      const { token, role } = await login.json();
      expect(role).toBe('staff');
      const floor = await fetch(
        `http://127.0.0.1:38473/api/v1/events/00000000-0000-4000-8000-000000000000/floor-plan`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect(floor.status).toBe(404);
    } finally {
      server.child.kill('SIGINT');
    }
    expect(await server.exited).toBe(0);
  });

  it('migrate builds a new database atomically, clearing what a crashed creation left behind', async () => {
    const fresh = join(dir, 'fresh');
    mkdirSync(`${fresh}.creating`);
    writeFileSync(join(`${fresh}.creating`, 'PG_VERSION'), 'half-made');
    const run = runVelvet(['migrate'], { ...env(0), VELVET_DATA_DIR: fresh });
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Migrations applied (pglite)');
    expect(readdirSync(dir)).not.toContain('fresh.creating');
    expect(readdirSync(dir)).toContain('fresh');
  });

  it.runIf(onPostgres)('migrate runs the same migrations on PostgreSQL', async () => {
    const scratch = await createScratchDatabase();
    try {
      const run = runVelvet(['migrate'], { DATABASE_URL: scratch.url });
      expect(await run.exited).toBe(0);
      expect(run.output()).toContain('Migrations applied (postgres)');
      const again = runVelvet(['migrate'], { DATABASE_URL: scratch.url });
      expect(await again.exited).toBe(0);
    } finally {
      await scratch.drop();
    }
  });

  it('refuses a bad configuration with a clear message', async () => {
    const run = runVelvet(['serve'], { ...env(0), VELVET_HOLD_SECONDS: 'soon' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('Invalid configuration: VELVET_HOLD_SECONDS');
    expect(run.output()).not.toContain('    at ');
  });

  it('user add says everything wrong at once, and never prints SQL, values or a password hash', async () => {
    const bad = runVelvet(['user', 'add', '--email', 'not-an-email', '--password', 'x', '--role', 'staff'], env(0));
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/email is not an e-mail address; password needs at least 8 characters/);
    const ok = { ...env(0) };
    const first = runVelvet(
      ['user', 'add', '--email', 'twice@cli.test', '--password', 'long-enough-1', '--role', 'staff'],
      ok,
    );
    expect(await first.exited, first.output()).toBe(0);
    const again = runVelvet(
      ['user', 'add', '--email', 'twice@cli.test', '--password', 'long-enough-2', '--role', 'staff'],
      ok,
    );
    expect(await again.exited).toBe(1);
    expect(again.output()).toContain('already exists');
    for (const out of [bad.output(), again.output()]) {
      expect(out).not.toMatch(/insert into|params:|scrypt|\$[0-9a-f]{16}| {4}at /i);
    }
  });

  it('a port already in use is one clear line, not a stack', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = runVelvet(['serve'], { ...env(port), HOST: '127.0.0.1' });
      expect(await run.exited).toBe(1);
      expect(run.output()).toMatch(/port \d+ on 127\.0\.0\.1 is already in use: stop the other process, or set PORT/);
      expect(run.output()).not.toContain('    at ');
    } finally {
      blocker.close();
    }
  });
});

describe('npm start', () => {
  it('stopped with SIGTERM by its PID, stops the server too (no orphan keeps serving or holding the data directory)', async () => {
    const data = join(dir, 'npm-start');
    await migratedDataDir(data);
    const npm = spawn('npm', ['start'], {
      cwd: join(import.meta.dirname, '..'),
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL')),
        VELVET_DATA_DIR: data,
        PORT: '0',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = once(npm, 'exit');
    await expect.poll(() => /listening on (http:\/\/\S+)/.exec(out)?.[1], { timeout: 60_000 }).toBeTruthy();
    const base = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    npm.kill('SIGTERM');
    await exited;
    // The server itself went away: nothing answers, and the data directory's lock is released.
    await expect
      .poll(
        () =>
          fetch(`${base}/healthz`).then(
            () => 'answering',
            () => 'gone',
          ),
        { timeout: 15_000 },
      )
      .toBe('gone');
    const after = runVelvet(['migrate'], { VELVET_DATA_DIR: data, DATABASE_URL: undefined });
    expect(await after.exited, after.output()).toBe(0);
    expect(out).toContain('SIGTERM received, shutting down');
  });
});
