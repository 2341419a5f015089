import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from './support/database.js';
import { startLiveServer, type Answer, type LiveServer } from './support/live-server.js';
import { runVelvet } from './support/process.js';

/**
 * The embedded database's disk fills up, for real: the data directory sits on a small tmpfs of
 * this test's own (mounting needs root, as CI runs), and a file takes every free byte while
 * `velvet serve` takes orders. Writes must fail with a clear answer, reads keep working, and once
 * space is back (and after a restart) the database is whole: what was committed is there, what
 * failed is not.
 */
const root = process.getuid?.() === 0;

let mnt: string;
let server: LiveServer;
let env: Record<string, string>;

function fill(): void {
  const avail = Number(execFileSync('df', ['--output=avail', '-B1', mnt]).toString().trim().split('\n').pop());
  execFileSync('fallocate', ['-l', String(avail), join(mnt, 'filler')]);
}

describe.skipIf(onPostgres || !root)('embedded database: the disk fills up (PGlite runs, as root)', () => {
  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), 'velvet-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=120m', 'tmpfs', mnt]);
    mkdirSync(join(mnt, 'velvet'));
    env = { VELVET_DATA_DIR: join(mnt, 'velvet', 'data'), VELVET_LOGIN_ATTEMPTS_PER_MINUTE: '100' };
  });
  afterAll(async () => {
    await server?.stop();
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it('a failed write answers 507 storage_full, reads still work, and the database is whole after space is back and a restart', async () => {
    // The account first: the CLI and the server must not hold the data directory at once.
    const add = runVelvet(
      ['user', 'add', '--email', 'owner@disk.test', '--password', 'owner-password-1', '--role', 'owner'],
      env,
    );
    expect(await add.exited, add.output()).toBe(0);
    server = await startLiveServer(env);
    const token = (
      await server.call('POST', '/api/v1/auth/login', { email: 'owner@disk.test', password: 'owner-password-1' })
    ).body!.token as string;
    // Each row about half a page (a description that does not compress): the writes reach a new
    // page, and so the full disk, within a few events instead of hundreds.
    const filler = randomBytes(2900).toString('base64');
    const event = (i: number) => ({
      name: `Night ${i} ${'x'.repeat(150)}`,
      description: filler,
      starts_at: '2030-01-01T20:00:00Z',
      ends_at: '2030-01-02T04:00:00Z',
      currency: 'EUR',
      ga: { price_cents: 100, capacity: 100 },
      tiers: [],
      tables: [],
    });
    const before = await server.call('POST', '/api/v1/events', event(0), token);
    expect(before.status).toBe(201);

    fill();
    // Rows fill the pages the tables already have; the first write that needs a new page fails.
    const refused: Answer[] = [];
    for (let i = 1; i <= 600 && !refused.some((r) => r.status !== 201); i++)
      refused.push(await server.call('POST', '/api/v1/events', event(i), token));
    expect(refused.map((r) => r.status)).toContain(507);
    for (const r of refused) expect([201, 507]).toContain(r.status);
    // Failed writes stay failed: a few more attempts answer the same, and nothing half-written is left.
    for (let i = 0; i < 5; i++)
      expect((await server.call('POST', '/api/v1/events', event(500 + i), token)).status).toBe(507);
    const full = refused.find((r) => r.status === 507)!;
    expect(full.code).toBe('storage_full');
    expect(full.body!.error).toMatchObject({ message: expect.stringContaining('disk is full') });
    // Reads still work, and the process is up.
    expect((await server.call('GET', `/api/v1/events/${before.body!.id}`)).status).toBe(200);
    expect(server.proc.child.exitCode).toBeNull();

    // Space is back: writes work again, without a restart.
    rmSync(join(mnt, 'filler'));
    const after = await server.call('POST', '/api/v1/events', event(99), token);
    expect(after.status).toBe(201);

    // And after a restart, the database is whole.
    await server.stop();
    server = await startLiveServer(env);
    const token2 = (
      await server.call('POST', '/api/v1/auth/login', { email: 'owner@disk.test', password: 'owner-password-1' })
    ).body!.token as string;
    const list = await server.call('GET', '/api/v1/events', undefined, token2);
    const names = (list.body!.events as Array<{ name: string }>).map((e) => e.name.split(' ').slice(0, 2).join(' '));
    const saved = refused.filter((r) => r.status === 201).length;
    expect(names).toHaveLength(2 + saved);
    expect(names).toContain('Night 0');
    expect(names).toContain('Night 99');
    expect((await server.call('POST', '/api/v1/events', event(100), token2)).status).toBe(201);
  }, 120_000);
});
