import { holderTokenFor } from '../src/auth/capability.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupFileError } from '../src/backup/backup-file.js';
import { restoreBackup, RestoreRefused } from '../src/backup/restore.js';
import { takeBackup } from '../src/backup/take-backup.js';
import { openPgliteDir } from '../src/db/pglite.js';
import { openPostgres } from '../src/db/postgres.js';
import { createMailTransport } from '../src/mail/transport.js';
import { processDueMails } from '../src/services/mail/mail-worker.service.js';
import { buyTable, linkWithInvite, openDoors, scan } from './support/door.js';
import { onPostgres, withDatabase } from './support/database.js';
import {
  bearer,
  buyPaid,
  createEvent,
  placeOrder,
  startTestApp,
  type EventInfo,
  type TestContext,
} from './support/harness.js';
import { openApiDocument, operations } from './support/openapi.js';
import { dumpTables } from './support/snapshot.js';
import { drainRefunds } from './support/stripe-flow.js';
import { TokenBucket } from '../src/services/jobs/token-bucket.js';
import { processDueRefunds } from '../src/services/refunds/refund-worker.service.js';

/**
 * A whole night on the embedded database, backed up while it serves, restored into PostgreSQL
 * (and back): every read the API offers answers the same, old codes scan, old links open, and the
 * outboxes (mails pending, refunds half paid) finish on the new database. Bad files and
 * databases that hold data are refused, changing nothing.
 */
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let root: string;
const scratch: string[] = [];

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function emptyPostgres(): Promise<string> {
  const name = `velvet_restore_${Math.random().toString(36).slice(2, 10)}`;
  await admin(`CREATE DATABASE ${name}`);
  scratch.push(name);
  return withDatabase(ADMIN_URL, name);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'velvet-backup-'));
});
afterAll(async () => {
  for (const name of scratch) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  rmSync(root, { recursive: true, force: true });
});

interface Night {
  events: EventInfo[];
  orders: Array<{ order_id: string; manage_token: string }>;
  tickets: Array<{ id: string; qr: string | null }>;
  reservationId: string;
  inviteCode: string;
  unscanned: string;
  cursor: string;
  /** Sent to Theo before the night: its first code (now refused) and id. */
  transferred: { id: string; qr: string | null };
}

/** Orders, a table with a guest, scans online and offline, a refund, a cancelled night with refunds half paid, mails pending. */
async function night(ctx: TestContext): Promise<Night> {
  const ev = await createEvent(ctx, {
    venue_name: 'The Vault',
    venue_address: 'Köpenicker Str. 70, Berlin',
    description: 'House.\nDisco.',
  });
  // A cover: bytes in the database, which must come back bit for bit.
  const photo = await sharp({ create: { width: 900, height: 500, channels: 3, background: '#6d28d9' } })
    .jpeg()
    .toBuffer();
  const cover = await ctx.app.inject({
    method: 'PUT',
    url: `/api/v1/events/${ev.id}/cover`,
    headers: { ...bearer(ctx.ownerToken), 'content-type': 'image/jpeg' },
    payload: photo,
  });
  expect(cover.statusCode, cover.body).toBe(200);
  const host = await buyTable(ctx, ev, 1, 'Hannah Host');
  const gina = await buyPaid(ctx, ev.id, { name: 'Gina Guest', email: 'gina@example.com' });
  await linkWithInvite(
    ctx,
    { ticketId: gina.view.tickets[0]!.id, token: gina.manage_token },
    host.order.view.reservation!.invite_code,
  );
  const gary = await buyPaid(ctx, ev.id, { name: 'Gary', ga_quantity: 3 });
  const rita = await buyPaid(ctx, ev.id, { name: 'Rita Refund' });
  const refund = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orders/${rita.order_id}/refund`,
    headers: bearer(ctx.ownerToken),
    payload: { amount_cents: 2000 },
  });
  expect(refund.statusCode, refund.body).toBe(202);
  const pending = await placeOrder(ctx, ev.id, { name: 'Pat Pending' });
  // A ticket passed on: its new code, its new holder's link and its history must all move.
  const tina = await buyPaid(ctx, ev.id, { name: 'Tina' });
  const sent = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/tickets/${tina.view.tickets[0]!.id}/transfer`,
    headers: bearer(tina.manage_token),
    payload: { email: 'theo@example.com', name: 'Theo' },
  });
  expect(sent.statusCode, sent.body).toBe(200);

  const later = await createEvent(ctx, {
    name: 'Cancelled Night',
    starts_at: '2030-07-01T22:00:00Z',
    ends_at: '2030-07-02T05:00:00Z',
  });
  const laterOrders = [];
  for (let i = 0; i < 4; i++) laterOrders.push(await buyPaid(ctx, later.id, { name: `Later ${i}` }));
  const preview = (
    await ctx.app.inject({ url: `/api/v1/events/${later.id}/cancellation`, headers: bearer(ctx.ownerToken) })
  ).json();
  const cancelled = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${later.id}/cancel`,
    headers: bearer(ctx.ownerToken),
    payload: { confirmation_token: preview.confirmation_token },
  });
  expect(cancelled.statusCode, cancelled.body).toBe(202);
  // Refunds half paid: one batch of two of the five (the refunded order's and four cancelled ones).
  expect(await processDueRefunds(ctx.deps, { limiter: new TokenBucket(1000, 1000), batchSize: 2 })).toBe(2);

  openDoors(ctx, ev);
  for (const code of [host.host.qr!, gina.view.tickets[0]!.qr!, gary.view.tickets[0]!.qr!])
    expect((await scan(ctx, code)).result).not.toBe('rejected');
  const offline = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/scans/batch',
    headers: bearer(ctx.staffToken),
    payload: {
      scanner_id: 'door-off',
      event_id: ev.id,
      scans: [
        {
          qr: gary.view.tickets[1]!.qr,
          scanned_at: new Date(ctx.clock.now().getTime() - 60_000).toISOString(),
          offline_result: 'admitted',
        },
      ],
    },
  });
  expect(offline.statusCode, offline.body).toBe(200);
  const cursor = (
    await ctx.app.inject({ url: `/api/v1/events/${ev.id}/scanner-cache`, headers: bearer(ctx.staffToken) })
  ).json().generated_at as string;
  const orders = [host.order, gina, gary, rita, pending, tina, ...laterOrders];
  return {
    events: [ev, later],
    orders,
    tickets: [
      ...host.order.view.tickets,
      ...gina.view.tickets,
      ...gary.view.tickets,
      ...rita.view.tickets,
      ...tina.view.tickets,
    ],
    transferred: tina.view.tickets[0]!,
    reservationId: host.reservationId,
    inviteCode: host.order.view.reservation!.invite_code,
    unscanned: gary.view.tickets[2]!.qr!,
    cursor,
  };
}

/**
 * Every read the API offers, as the owner, the door and each buyer see it. Checked against the
 * OpenAPI document: a read added tomorrow must be added here (live streams are the same reads,
 * pushed; `config` is configuration, not data).
 */
async function readEverything(ctx: TestContext, n: Night): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const covered = new Set<string>();
  const get = async (template: string, url: string, token?: string) => {
    covered.add(template);
    const res = await ctx.app.inject({ url, headers: token ? bearer(token) : {} });
    let body: unknown = res.body;
    if (res.headers['content-type']?.toString().startsWith('image/')) body = res.rawPayload.toString('base64');
    if (res.headers['content-type']?.toString().includes('json')) {
      body = res.json();
      // The cache's own time of reading (the next delta's cursor) is "now", not data.
      if (template.endsWith('/scanner-cache')) delete (body as { generated_at?: unknown }).generated_at;
    }
    out[`${res.statusCode} ${url}`] = body;
  };
  await get('/api/v1/users', '/api/v1/users', ctx.ownerToken);
  await get('/api/v1/refused', '/api/v1/refused', ctx.ownerToken);
  await get('/api/v1/promoters', '/api/v1/promoters', ctx.ownerToken);
  await get('/api/v1/events', '/api/v1/events', ctx.ownerToken);
  for (const ev of n.events) {
    const e = `/api/v1/events/${ev.id}`;
    await get('/api/v1/events/{id}', e);
    await get('/api/v1/events/{id}/cover', `${e}/cover`);
    await get('/api/v1/events/{id}/summary', `${e}/summary`, ctx.ownerToken);
    await get('/api/v1/events/{id}/availability', `${e}/availability`);
    await get('/api/v1/events/{id}/floor-plan', `${e}/floor-plan`, ctx.ownerToken);
    await get('/api/v1/events/{id}/orders', `${e}/orders`, ctx.ownerToken);
    await get('/api/v1/events/{id}/export/attendees.csv', `${e}/export/attendees.csv`, ctx.ownerToken);
    await get('/api/v1/events/{id}/export/orders.csv', `${e}/export/orders.csv`, ctx.ownerToken);
    await get('/api/v1/events/{id}/export/promoters.csv', `${e}/export/promoters.csv`, ctx.ownerToken);
    await get('/api/v1/events/{id}/promoters', `${e}/promoters`, ctx.ownerToken);
    await get('/api/v1/events/{id}/waitlist', `${e}/waitlist`, ctx.ownerToken);
    await get('/api/v1/events/{id}/scanner-cache', `${e}/scanner-cache`, ctx.staffToken);
    await get(
      '/api/v1/events/{id}/scanner-cache',
      `${e}/scanner-cache?since=${encodeURIComponent(n.cursor)}`,
      ctx.staffToken,
    );
    await get('/api/v1/events/{id}/cancellation', `${e}/cancellation`, ctx.ownerToken);
    await get('/api/v1/events/{id}/refunds', `${e}/refunds`, ctx.ownerToken);
  }
  for (const o of n.orders) {
    await get('/api/v1/orders/{id}', `/api/v1/orders/${o.order_id}`, o.manage_token);
    await get('/api/v1/orders/{id}/activity', `/api/v1/orders/${o.order_id}/activity`, ctx.ownerToken);
  }
  for (const t of n.tickets) {
    await get('/api/v1/tickets/{id}/qr.svg', `/api/v1/tickets/${t.id}/qr.svg`, ctx.ownerToken);
    await get('/api/v1/tickets/{id}', `/api/v1/tickets/${t.id}`, ctx.ownerToken);
    // No wallet is set up in this test: the same 404 before and after (test/wallet.test.ts has them).
    await get('/api/v1/tickets/{id}/wallet.pkpass', `/api/v1/tickets/${t.id}/wallet.pkpass`, ctx.ownerToken);
    await get('/api/v1/tickets/{id}/wallet/google', `/api/v1/tickets/${t.id}/wallet/google`, ctx.ownerToken);
  }
  await get('/api/v1/reservations/{id}', `/api/v1/reservations/${n.reservationId}`, ctx.ownerToken);
  await get('/api/v1/invites/{code}', `/api/v1/invites/${n.inviteCode}`);
  // The VAPID key moves with the data: hosts' subscriptions keep working on the new server.
  await get('/api/v1/push/public-key', '/api/v1/push/public-key');
  const reads = operations(await openApiDocument(ctx.app)).filter(
    (o) =>
      o.method === 'GET' && o.path.startsWith('/api/v1/') && !o.path.endsWith('/stream') && o.path !== '/api/v1/config',
  );
  expect(
    reads.map((o) => o.path).filter((p) => !covered.has(p)),
    'reads not compared',
  ).toEqual([]);
  return out;
}

// Embedded to PostgreSQL and back, whichever database the suite runs on: run once.
describe.skipIf(onPostgres)('backup, restore and the move to PostgreSQL', () => {
  it(
    'a whole night on the embedded database, backed up while serving, restores into PostgreSQL and back: every read the same, codes scan, outboxes finish',
    { timeout: 180_000 },
    async () => {
      const embedded = await startTestApp({ database: await openPgliteDir(join(root, 'night')) });
      let moved: TestContext | undefined;
      let back: TestContext | undefined;
      try {
        const n = await night(embedded);
        const before = await readEverything(embedded, n);
        const file = join(root, 'night.velvet-backup');
        const header = await takeBackup(embedded.deps.database, file);
        expect(header).toMatchObject({ database: 'pglite', migration: expect.stringMatching(/^\d{4}_/) });
        // The embedded database kept serving and changed nothing by being backed up.
        expect(await readEverything(embedded, n)).toEqual(before);

        const url = await emptyPostgres();
        await restoreBackup(file, { kind: 'postgres', url });
        moved = await startTestApp({
          database: await openPostgres(url),
          existingAccounts: true,
          now: embedded.clock.now().toISOString(),
        });
        expect(await readEverything(moved, n)).toEqual(before);

        // What the door and the buyers hold still works: an old code scans (the signing key moved),
        // the scanner's delta cursor from before is valid, and the outboxes carry on.
        expect(await scan(moved, n.unscanned)).toMatchObject({ result: 'admitted' });
        // The transferred ticket: its first code is still refused, its new holder's link still opens it.
        expect(await scan(moved, n.transferred.qr!)).toMatchObject({ result: 'rejected', reason: 'transferred' });
        const theo = await moved.app.inject({
          url: `/api/v1/tickets/${n.transferred.id}`,
          headers: bearer(holderTokenFor(moved.deps.keys.manageKey, n.transferred.id, 1).token),
        });
        expect(theo.statusCode, theo.body).toBe(200);
        expect(await scan(moved, theo.json().qr)).toMatchObject({
          result: 'admitted',
          ticket: { holder_name: 'Theo' },
        });
        const delta = (
          await moved.app.inject({
            url: `/api/v1/events/${n.events[0]!.id}/scanner-cache?since=${encodeURIComponent(n.cursor)}`,
            headers: bearer(moved.staffToken),
          })
        ).json();
        expect(delta.full).toBe(false);
        expect(delta.tickets.map((t: { status: string }) => t.status)).toContain('checked_in');
        // Refunds first: each one paid puts its "refunded" mail in the mail outbox.
        expect(await drainRefunds(moved)).toBe(3);
        const mailDir = join(root, 'mail');
        const transport = createMailTransport({
          mail: { smtpUrl: undefined, from: 'Velvet <t@velvet.test>', dir: mailDir },
        });
        let sent = 0;
        for (let k; (k = await processDueMails(moved.deps, { transport, timeZone: 'Europe/Berlin' })) > 0;) sent += k;
        transport.close();
        expect(sent).toBeGreaterThan(5);
        const outboxes = await dumpTables(moved.database.db, ['mails', 'refunds']);
        for (const row of [...outboxes.mails!, ...outboxes.refunds!])
          expect(JSON.parse((row as { row: string }).row).status).not.toBe('pending');

        // And back: PostgreSQL's backup restores into a new embedded database, reads the same.
        const now = await readEverything(moved, n);
        const pgFile = join(root, 'moved.velvet-backup');
        expect((await takeBackup(moved.deps.database, pgFile)).database).toBe('postgres');
        await restoreBackup(pgFile, { kind: 'pglite', dataDir: join(root, 'back') });
        back = await startTestApp({
          database: await openPgliteDir(join(root, 'back')),
          existingAccounts: true,
          now: moved.clock.now().toISOString(),
        });
        expect(await readEverything(back, n)).toEqual(now);
      } finally {
        await embedded.close();
        await moved?.close();
        await back?.close();
      }
    },
  );

  it(
    'refuses a file cut short or changed, and a database that already holds data, changing nothing',
    { timeout: 120_000 },
    async () => {
      const embedded = await startTestApp({ database: await openPgliteDir(join(root, 'refusals')) });
      const url = await emptyPostgres();
      try {
        await createEvent(embedded);
        const file = join(root, 'good.velvet-backup');
        await takeBackup(embedded.deps.database, file);
        const bytes = readFileSync(file);
        writeFileSync(join(root, 'cut.velvet-backup'), bytes.subarray(0, bytes.length - 100));
        const changed = Buffer.from(bytes);
        changed[changed.length - 50] = changed[changed.length - 50]! ^ 0xff;
        writeFileSync(join(root, 'changed.velvet-backup'), changed);
        writeFileSync(join(root, 'other.velvet-backup'), 'SELECT 1;\n');

        await expect(restoreBackup(join(root, 'cut.velvet-backup'), { kind: 'postgres', url })).rejects.toThrow(
          /is incomplete: \d+ of \d+ bytes/,
        );
        await expect(restoreBackup(join(root, 'changed.velvet-backup'), { kind: 'postgres', url })).rejects.toThrow(
          /has been changed since it was written/,
        );
        await expect(
          restoreBackup(join(root, 'other.velvet-backup'), { kind: 'pglite', dataDir: join(root, 'never') }),
        ).rejects.toBeInstanceOf(BackupFileError);
        expect(await tableCount(url)).toBe(0);

        // A database that holds data: refused, untouched.
        await restoreBackup(file, { kind: 'postgres', url });
        const held = await tableCount(url);
        await expect(restoreBackup(file, { kind: 'postgres', url })).rejects.toBeInstanceOf(RestoreRefused);
        await expect(restoreBackup(file, { kind: 'pglite', dataDir: join(root, 'refusals') })).rejects.toThrow(
          /already holds a database/,
        );
        expect(await tableCount(url)).toBe(held);
      } finally {
        await embedded.close();
      }
    },
  );
});

async function tableCount(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (
      await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname IN ('public', 'drizzle')")
    ).rows[0]!.n;
  } finally {
    await c.end();
  }
}
