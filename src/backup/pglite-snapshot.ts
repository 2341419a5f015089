import { spawn } from 'node:child_process';
import { constants, cpSync, rmSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';

/**
 * A copy of the embedded database's directory as it is at one instant, taken while it serves.
 *
 * PGlite is one connection, and pg_dump on it would hold it for the whole dump (seconds, with the
 * door waiting): instead the directory's files are copied while PGlite runs nothing else
 * (`runExclusive`), which is the state a crash at that instant would leave, and PostgreSQL's own
 * crash recovery makes it whole when the copy is opened. A CHECKPOINT just before writes the
 * buffered pages out, so the copy needs the write-ahead log only from that checkpoint on: older
 * segments (and recycled ones kept for later) are not copied, nor are the backups kept inside
 * the directory. The door waits only for the file copy (BENCHMARKS.md: backup).
 */
export async function snapshotPgliteDir(client: PGlite, dir: string, to: string): Promise<{ exclusiveMs: number }> {
  await client.exec('CHECKPOINT');
  const { rows } = await client.query<{ redo: string; current: string }>(
    'SELECT (pg_control_checkpoint()).redo_wal_file AS redo, pg_walfile_name(pg_current_wal_lsn()) AS current',
  );
  const { redo, current } = rows[0]!;
  // Writes between this read and the copy may reach the next segment: take one more. A recycled
  // segment past the log's end is harmless: recovery stops where the records stop.
  const last = nextSegment(current);
  rmSync(to, { recursive: true, force: true });
  let exclusiveMs = 0;
  await client.runExclusive(async () => {
    const started = performance.now();
    cpSync(dir, to, {
      recursive: true,
      mode: constants.COPYFILE_FICLONE,
      filter: (src) => {
        const path = relative(dir, src);
        if (path === BACKUPS_DIR || path.startsWith(`${BACKUPS_DIR}/`)) return false;
        if (path === 'postmaster.pid') return false;
        const segment = /^pg_wal\/([0-9A-F]{24})$/.exec(path)?.[1];
        return segment === undefined || (segment >= redo && segment <= last);
      },
    });
    exclusiveMs = performance.now() - started;
  });
  return { exclusiveMs };
}

/** The embedded database keeps its own backups here, inside its directory (not copied into them). */
export const BACKUPS_DIR = 'backups';

/** Where a snapshot of `dataDir` is copied to: beside it (a copy cannot go inside what it copies). */
export const snapshotDirOf = (dataDir: string) => `${dataDir}.snapshot`;

function nextSegment(name: string): string {
  // timeline (8) + log (8) + segment (8), hex; 256 segments of 16 MB per log number.
  const timeline = name.slice(0, 8);
  const log = parseInt(name.slice(8, 16), 16);
  const seg = parseInt(name.slice(16, 24), 16);
  const [nextLog, nextSeg] = seg >= 0xff ? [log + 1, 0] : [log, seg + 1];
  return `${timeline}${nextLog.toString(16).toUpperCase().padStart(8, '0')}${nextSeg.toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * Dumps a snapshot's copy into a backup file in a process of its own (dump-copy.ts): the dump
 * and its compression are CPU-bound and run synchronously, so the serving process stays free, and
 * the memory they take is given back when that process ends.
 */
export function dumpCopyToFile(copyDir: string, file: string, createdAt: Date): Promise<void> {
  const script = fileURLToPath(new URL('./dump-copy.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    // tsx runs the TypeScript, found from this file (not from wherever Velvet was started).
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', tsx, script, copyDir, file, createdAt.toISOString()], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `dumping ${basename(copyDir)} failed (${signal ?? `exit ${code}`}): ${err.trim().split('\n').slice(-2).join(' ')}`,
            ),
          ),
    );
  });
}
