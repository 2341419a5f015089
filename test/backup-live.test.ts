import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackupFile } from '../src/backup/backup-file.js';
import { listBackups } from '../src/backup/backup-runner.js';
import { restoreBackup } from '../src/backup/restore.js';
import { takeBackup } from '../src/backup/take-backup.js';
import { queryRows, type Database } from '../src/db/database.js';
import { openPgliteDir } from '../src/db/pglite.js';
import { loadLoops } from './support/live-server.js';
import { migratedDataDir, onPostgres, openTestDatabase } from './support/database.js';
import { openDoors } from './support/door.js';
import { bearer, buyPaid, createEvent, startTestApp } from './support/harness.js';
import { runVelvet } from './support/process.js';

/**
 * Backups taken while Velvet works: consistent whatever was in flight (no order without its
 * tickets, no admission without its ticket checked in), and never a half-written file that looks
 * like a backup, even when the server is killed in the middle of one.
 */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'velvet-backup-live-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every promise the database must keep, checked on a restored copy. */
async function broken(db: Database['db']): Promise<Record<string, number>> {
  const count = async (query: ReturnType<typeof sql>) => (await queryRows<{ n: number }>(db, query))[0]!.n;
  return {
    ordersMissingTickets: await count(
      sql`SELECT count(*)::int AS n FROM orders o WHERE o.ga_quantity <> (SELECT count(*) FROM tickets t WHERE t.order_id = o.id)`,
    ),
    paidTicketsStillPending: await count(
      sql`SELECT count(*)::int AS n FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.status = 'paid' AND t.status = 'pending'`,
    ),
    paidOrdersWithoutMail: await count(
      sql`SELECT count(*)::int AS n FROM orders o WHERE o.status = 'paid' AND NOT EXISTS (SELECT 1 FROM mails m WHERE m.order_id = o.id)`,
    ),
    admissionsNotCheckedIn: await count(
      sql`SELECT count(*)::int AS n FROM scans s JOIN tickets t ON t.id = s.ticket_id WHERE s.result = 'admitted' AND t.status <> 'checked_in'`,
    ),
    checkInsWithoutAdmission: await count(
      sql`SELECT count(*)::int AS n FROM tickets t WHERE t.status = 'checked_in' AND NOT EXISTS (SELECT 1 FROM scans s WHERE s.ticket_id = t.id AND s.result = 'admitted')`,
    ),
    placesMiscounted: await count(
      sql`SELECT count(*)::int AS n FROM events e WHERE e.ga_sold <> (SELECT coalesce(sum(ga_quantity), 0) FROM orders o WHERE o.event_id = e.id AND o.status IN ('pending', 'paid'))`,
    ),
  };
}

describe('backups while Velvet works', () => {
  it('a backup taken while 20 clients buy and scan is consistent', { timeout: 180_000 }, async () => {
    const database = onPostgres ? await openTestDatabase({ poolSize: 30 }) : await openPgliteDir(join(root, 'busy'));
    const ctx = await startTestApp({ database });
    try {
      const event = await createEvent(ctx, { ga: { price_cents: 1500, capacity: 5000 } });
      const codes: string[] = [];
      for (let i = 0; i < 10; i++)
        codes.push(...(await buyPaid(ctx, event.id, { ga_quantity: 20 })).view.tickets.map((t) => t.qr!));
      openDoors(ctx, event);
      let n = 0;
      const load = loadLoops(20, async (client) => {
        const i = n++;
        if (client % 2 === 0) {
          await buyPaid(ctx, event.id, { ga_quantity: 2, email: `load-${i}@backup.test` });
        } else {
          // Scanned once each, then again (a re-scan is refused, and logged too).
          const qr = codes[i % codes.length]!;
          await ctx.app.inject({
            method: 'POST',
            url: '/api/v1/scans',
            headers: bearer(ctx.staffToken),
            payload: { qr, scanner_id: `door-${client}`, event_id: event.id },
          });
        }
      });
      await new Promise((r) => setTimeout(r, 300));
      const files = [];
      for (let k = 0; k < 2; k++) {
        const file = join(root, `busy-${k}.velvet-backup`);
        await takeBackup(ctx.deps.database, file);
        files.push(file);
      }
      await load.stop();
      for (const [k, file] of files.entries()) {
        const dataDir = join(root, `busy-restored-${k}`);
        await restoreBackup(file, { kind: 'pglite', dataDir });
        const restored = await openPgliteDir(dataDir);
        try {
          expect(await broken(restored.db)).toEqual({
            ordersMissingTickets: 0,
            paidTicketsStillPending: 0,
            paidOrdersWithoutMail: 0,
            admissionsNotCheckedIn: 0,
            checkInsWithoutAdmission: 0,
            placesMiscounted: 0,
          });
          // Taken mid-load: some of the load's orders and scans are in it.
          const [{ orders, scans }] = (await queryRows<{ orders: number; scans: number }>(
            restored.db,
            sql`SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM scans) AS scans`,
          )) as [{ orders: number; scans: number }];
          expect(orders).toBeGreaterThan(10);
          expect(scans).toBeGreaterThan(0);
        } finally {
          await restored.close();
        }
      }
    } finally {
      await ctx.close();
    }
  });

  it.skipIf(onPostgres)(
    'SIGKILL in the middle of a backup leaves only complete backups, and the next start clears what it left',
    { timeout: 180_000 },
    async () => {
      const dataDir = join(root, 'killed');
      const env = { VELVET_DATA_DIR: dataDir, DATABASE_URL: undefined, PORT: '0', VELVET_BACKUP_INTERVAL: '1s' };
      const backupsDir = join(dataDir, 'backups');
      await migratedDataDir(dataDir);
      for (let round = 0; round < 3; round++) {
        const server = runVelvet(['serve'], env);
        await server.waitFor(/listening on/, 90_000);
        // Wait until a backup is under way (its snapshot being copied or dumped), then kill.
        const deadline = Date.now() + 30_000;
        while (!existsSync(`${dataDir}.snapshot`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(existsSync(`${dataDir}.snapshot`), 'a backup was under way').toBe(true);
        server.child.kill('SIGKILL');
        await server.exited;
        // Whatever the dump process does after its server died, nothing half-done takes a backup's name.
        for (let check = 0; check < 5; check++) {
          for (const file of listBackups(backupsDir)) expect(() => readBackupFile(file), file).not.toThrow();
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const server = runVelvet(['serve'], env);
      try {
        await server.waitFor(/listening on/, 90_000);
        const complete = listBackups(backupsDir).length;
        const deadline = Date.now() + 30_000;
        while (listBackups(backupsDir).length <= complete && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        expect(listBackups(backupsDir).length).toBeGreaterThan(complete);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      // Stopped cleanly (a backup under way is finished first): every backup whole, nothing left over.
      for (const file of listBackups(backupsDir)) expect(readBackupFile(file).header.database).toBe('pglite');
      expect(readdirSync(backupsDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
      expect(existsSync(`${dataDir}.snapshot`)).toBe(false);
    },
  );
});
