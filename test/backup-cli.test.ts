import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackupFile } from '../src/backup/backup-file.js';
import { listBackups } from '../src/backup/backup-runner.js';
import { migrationsFolder } from '../src/db/migrate.js';
import { createScratchDatabase, migratedDataDir, onPostgres } from './support/database.js';
import { runVelvet } from './support/process.js';

/**
 * The commands an owner types to keep the night safe and to grow: `velvet backup`, `velvet
 * restore`, `velvet move-to-postgres`, as real processes, and the backup Velvet takes by itself
 * before a new version migrates the embedded database.
 */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'velvet-backup-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
  entries: Array<{ tag: string }>;
};

/** The newest migration's undoing, to make a database one release older. */
const UNDO: Record<string, string> = {
  '0012_scan_request_digest': 'ALTER TABLE scans DROP COLUMN request_digest',
  '0013_tls': 'DROP TABLE tls_certificates; DROP TABLE acme_challenges',
  '0014_event_details':
    'DROP TABLE event_covers; ALTER TABLE events DROP COLUMN venue_name, DROP COLUMN venue_address, DROP COLUMN description, DROP COLUMN cover_etag',
  '0023_languages':
    'ALTER TABLE waitlist_entries DROP COLUMN locale; ALTER TABLE orders DROP COLUMN locale; ALTER TABLE events DROP COLUMN locale',
  '0022_google_wallet_objects': 'DROP TABLE google_wallet_objects',
  '0021_pass_registrations': 'DROP TABLE pass_registrations',
  '0020_voided_notice':
    'ALTER TABLE mails DROP CONSTRAINT mails_transfer_kind; ALTER TABLE mails DROP CONSTRAINT mails_kind_check; DROP INDEX mails_transfer; ' +
    "ALTER TABLE mails ADD CONSTRAINT mails_kind_check CHECK (kind IN ('order_paid', 'order_refunded', 'ticket_transferred', 'waitlist_offer')); " +
    "ALTER TABLE mails ADD CONSTRAINT mails_transfer_kind CHECK ((kind = 'ticket_transferred') = (transfer_id IS NOT NULL)); CREATE UNIQUE INDEX mails_transfer ON mails (transfer_id) WHERE transfer_id IS NOT NULL",
  '0019_waitlist':
    "DROP TABLE waitlist_entries; ALTER TABLE mails DROP CONSTRAINT mails_kind_check; ALTER TABLE mails ADD CONSTRAINT mails_kind_check CHECK (kind IN ('order_paid', 'order_refunded', 'ticket_transferred'))",
  '0018_ticket_transfers':
    "ALTER TABLE mails DROP CONSTRAINT mails_transfer_kind; ALTER TABLE mails DROP CONSTRAINT mails_kind_check; ALTER TABLE mails ADD CONSTRAINT mails_kind_check CHECK (kind IN ('order_paid', 'order_refunded')); " +
    'DROP INDEX mails_transfer; DROP INDEX mails_order_kind; ALTER TABLE mails ADD CONSTRAINT mails_order_id_kind_key UNIQUE (order_id, kind); ALTER TABLE mails DROP COLUMN transfer_id; ' +
    'DROP TABLE ticket_transfers; ALTER TABLE reservations DROP COLUMN guests_may_transfer; ALTER TABLE tickets DROP CONSTRAINT tickets_held_elsewhere, DROP COLUMN holder_token_hash, DROP COLUMN holder_email, DROP COLUMN code_generation',
  '0017_promoters': 'ALTER TABLE orders DROP COLUMN promoter_id; DROP TABLE promoters',
  '0016_refused_list': 'DROP TABLE refused_people; DROP FUNCTION velvet_name_key',
  '0015_host_night':
    'DROP TABLE pushes; DROP TABLE push_subscriptions; ALTER TABLE events DROP COLUMN min_age; ALTER TABLE orders DROP COLUMN age_confirmed_at',
};

const embedded = (dir: string, extra: Record<string, string> = {}) => ({
  VELVET_DATA_DIR: join(root, dir),
  DATABASE_URL: undefined,
  PORT: '0',
  ...extra,
});

async function run(args: string[], env: Record<string, string | undefined>) {
  const p = runVelvet(args, env);
  return { code: await p.exited, out: p.output() };
}

/** Serves `env` until `fn` is done, returning what fn returns (with the server's base URL). */
async function serving<T>(
  env: Record<string, string | undefined>,
  fn: (base: string) => Promise<T>,
  command = 'serve',
): Promise<T> {
  const server = runVelvet([command], env);
  try {
    const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/, 90_000);
    return await fn(base!);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

const eventNames = async (base: string) =>
  ((await (await fetch(`${base}/api/v1/events`)).json()) as { events: Array<{ name: string }> }).events.map(
    (e) => e.name,
  );

// Embedded to PostgreSQL and back, whichever database the suite runs on: run once.
describe.skipIf(onPostgres)('velvet backup, restore and move-to-postgres', () => {
  it(
    'backs up the demo, restores it into a new data directory, and moves it to PostgreSQL in one step',
    { timeout: 300_000 },
    async () => {
      const env = embedded('demo');
      await migratedDataDir(env.VELVET_DATA_DIR);
      const names = await serving(
        env,
        async (base) => {
          // While Velvet runs on it, the directory is its own: the command says where its backups are.
          const busy = await run(['backup', join(root, 'busy.velvet-backup')], env);
          expect(busy.code).toBe(1);
          expect(busy.out).toMatch(
            /Another Velvet process \(pid \d+.*\) is using the data directory .* it backs itself up every 15 minutes/,
          );
          return eventNames(base);
        },
        'demo',
      );
      expect(names.length).toBeGreaterThan(0);

      const file = join(root, 'demo.velvet-backup');
      const backup = await run(['backup', file], env);
      expect(backup.code, backup.out).toBe(0);
      expect(backup.out).toMatch(
        /Backup written to .*demo\.velvet-backup \(taken .* from the embedded database, at migration \d{4}_\w+, [\d.]+ KB\)/,
      );
      expect(readBackupFile(file).header.database).toBe('pglite');

      const copy = embedded('restored');
      const restored = await run(['restore', file], copy);
      expect(restored.code, restored.out).toBe(0);
      expect(await serving(copy, eventNames)).toEqual(names);
      const again = await run(['restore', file], copy);
      expect(again.code).toBe(1);
      expect(again.out).toContain('already holds a database');

      const scratch = await createScratchDatabase(
        process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      );
      try {
        const moved = await run(['move-to-postgres', scratch.url], env);
        expect(moved.code, moved.out).toBe(0);
        expect(moved.out).toMatch(
          /Moved the embedded database in .* to PostgreSQL: \d+ tables, [\d,]+ rows, each table checked/,
        );
        expect(moved.out).toContain(`DATABASE_URL='${scratch.url}' npx velvet serve`);
        expect(await serving({ DATABASE_URL: scratch.url, PORT: '0' }, eventNames)).toEqual(names);
        const twice = await run(['move-to-postgres', scratch.url], env);
        expect(twice.code).toBe(1);
        expect(twice.out).toContain('already holds');
      } finally {
        await scratch.drop();
      }
    },
  );

  it('backs the embedded database up before a new version migrates it', { timeout: 180_000 }, async () => {
    const env = embedded('upgrade');
    expect((await run(['migrate'], env)).code).toBe(0);
    // As if this database were one release older: its newest migration undone.
    const [previous, newest] = journal.entries.slice(-2).map((e) => e.tag);
    expect(UNDO[newest!], `how to undo ${newest} (add it to UNDO)`).toBeDefined();
    const old = await PGlite.create(join(root, 'upgrade'));
    const last = (
      await old.query<{ id: number }>('SELECT id FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1')
    ).rows[0]!;
    await old.exec(`${UNDO[newest!]}; DELETE FROM drizzle.__drizzle_migrations WHERE id = ${last.id};`);
    await old.close();

    const upgrade = await run(['migrate'], env);
    expect(upgrade.code, upgrade.out).toBe(0);
    expect(upgrade.out).toMatch(/new migrations to apply; backing up first to .*-before-migrating\.velvet-backup/);
    const [before] = listBackups(join(root, 'upgrade', 'backups'));
    expect(readBackupFile(before!).header.migration).toBe(previous);
    // Up to date: no backup is needed, none is taken.
    expect((await run(['migrate'], env)).out).not.toContain('backing up');
    expect(listBackups(join(root, 'upgrade', 'backups'))).toHaveLength(1);
  });
});
