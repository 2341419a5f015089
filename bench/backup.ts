/**
 * Backup and restore of a big embedded database (BENCHMARKS.md): a server seeded with `tickets`
 * paid GA tickets (a fifth of them scanned in) is backed up while a door rush runs, and the door's
 * latency is compared with the same rush without a backup. The backup is then restored into a new
 * embedded database and into PostgreSQL, and PostgreSQL's own backup (pg_dump) is timed too.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { BackupHeader } from '../src/backup/backup-file.js';
import { readBackupFile } from '../src/backup/backup-file.js';
import { restoreBackup } from '../src/backup/restore.js';
import { takeBackup } from '../src/backup/take-backup.js';
import { openPostgres } from '../src/db/postgres.js';
import { createScratchDatabase } from '../test/support/database.js';
import type { Check } from './checks.js';
import { HttpClient } from './http-client.js';
import { quantile, runLoad, type LoadResult } from './load.js';
import { spreadScans } from './scenarios.js';
import type { ServerHandle, startBenchServer } from './server-handle.js';

export interface BackupFigures {
  tickets: number;
  fileMb: number;
  backupS: number;
  /** How long the door waited for the file copy (PGlite ran nothing else). */
  exclusiveMs: number;
  restorePgliteS: number;
  restorePostgresS: number;
  pgDumpS: number;
  door: { before: DoorFigures; during: DoorFigures };
}

interface DoorFigures {
  scans: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
}

const door = (r: LoadResult): DoorFigures => ({
  scans: r.ok,
  rate: (r.ok * 1000) / r.elapsedMs,
  p50: quantile(r.latencies, 0.5),
  p99: quantile(r.latencies, 0.99),
  max: r.latencies.at(-1) ?? Number.NaN,
});

export async function measureBackup(
  opts: { tickets: number; clients: number; baselineSeconds: number },
  cleanups: Array<() => Promise<void> | void>,
  startServer: (spec: Parameters<typeof startBenchServer>[0]) => Promise<ServerHandle>,
  log: (msg: string) => void,
): Promise<{ figures: BackupFigures; checks: Check[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'velvet-bench-backup-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  log(`backup: seeding ${opts.tickets} GA tickets on the embedded database`);
  const server = await startServer({
    dataDir: join(dir, 'data'),
    plan: {
      spreadTickets: opts.tickets,
      hotTables: 0,
      buyCapacity: 0,
      dropTables: 0,
      cacheTickets: 0,
      fanoutTables: 0,
    },
  });
  const http = new HttpClient(server.address, opts.clients);
  cleanups.push(() => http.close());
  const step = spreadScans(http, server.seeded);
  // A fifth of the night is in: the scans table is not empty.
  await runLoad({ clients: opts.clients, durationMs: 600_000, maxRequests: Math.floor(opts.tickets / 5), step });
  log(`backup: door rush without a backup, ${opts.baselineSeconds} s`);
  const before = await runLoad({
    clients: opts.clients,
    durationMs: opts.baselineSeconds * 1000,
    maxRequests: 10_000_000,
    step,
  });
  log('backup: door rush while the server backs itself up');
  const file = join(dir, 'bench.velvet-backup');
  const backup = server.call<{ header: BackupHeader; ms: number; exclusiveMs: number }>(
    { type: 'backup', file },
    600_000,
  );
  const during = await runLoad({
    clients: opts.clients,
    durationMs: 600_000,
    maxRequests: 10_000_000,
    step,
    until: backup,
  });
  const taken = await backup;
  const fileMb = statSync(file).size / 2 ** 20;

  log('backup: restore into a new embedded database');
  let t = performance.now();
  await restoreBackup(file, { kind: 'pglite', dataDir: join(dir, 'restored') });
  const restorePgliteS = (performance.now() - t) / 1000;
  log('backup: restore into PostgreSQL');
  const scratch = await createScratchDatabase();
  cleanups.push(() => scratch.drop());
  t = performance.now();
  await restoreBackup(file, { kind: 'postgres', url: scratch.url });
  const restorePostgresS = (performance.now() - t) / 1000;
  log('backup: pg_dump of that PostgreSQL database');
  const database = await openPostgres(scratch.url, { max: 2 });
  t = performance.now();
  await takeBackup(database, join(dir, 'postgres.velvet-backup'));
  const pgDumpS = (performance.now() - t) / 1000;
  const restoredTickets = await ticketCount(scratch.url);
  await database.close();

  const checks: Check[] = [
    {
      name: 'backup: the file verifies',
      ok: readBackupFile(file).header.sha256 === taken.header.sha256,
      detail: `${fileMb.toFixed(1)} MB`,
    },
    {
      name: 'backup: every ticket restored into PostgreSQL',
      ok: restoredTickets >= opts.tickets,
      detail: `${restoredTickets} (expected ≥ ${opts.tickets})`,
    },
    { name: 'backup: no door errors during the backup', ok: during.errors === 0, detail: `${during.errors} errors` },
  ];
  return {
    figures: {
      tickets: opts.tickets,
      fileMb,
      backupS: taken.ms / 1000,
      exclusiveMs: taken.exclusiveMs,
      restorePgliteS,
      restorePostgresS,
      pgDumpS,
      door: { before: door(before), during: door(during) },
    },
    checks,
  };
}

async function ticketCount(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets')).rows[0]!.n;
  } finally {
    await c.end();
  }
}

export function backupText(f: BackupFigures): string {
  const d = (x: DoorFigures) =>
    `${x.rate.toFixed(0)} scans/s, p50 ${x.p50.toFixed(1)} / p99 ${x.p99.toFixed(1)} / max ${x.max.toFixed(0)} ms`;
  return (
    `backup [pglite]: ${f.tickets.toLocaleString('en-US')} tickets, ${f.fileMb.toFixed(1)} MB file: backup ${f.backupS.toFixed(1)} s while serving ` +
    `(the door waited ${f.exclusiveMs.toFixed(0)} ms for the file copy); restore ${f.restorePgliteS.toFixed(1)} s embedded, ${f.restorePostgresS.toFixed(1)} s PostgreSQL; ` +
    `pg_dump of the same data ${f.pgDumpS.toFixed(1)} s\n` +
    `  door rush without a backup: ${d(f.door.before)}\n  door rush during the backup: ${d(f.door.during)}`
  );
}
