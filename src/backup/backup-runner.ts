import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/database.js';
import { BACKUPS_DIR, snapshotDirOf } from './pglite-snapshot.js';
import { takeBackup } from './take-backup.js';

/** What the automatic backups have done, for the metrics and the operator. */
export interface BackupStatus {
  /** When the newest complete backup was written (null: none yet by this process). */
  lastSuccessAt: Date | null;
  lastFile: string | null;
  /** The last attempt's outcome, and its error when it failed. */
  lastResult: 'none' | 'ok' | 'failed';
  lastError: string | null;
  lastDurationMs: number | null;
}

export const BACKUP_SUFFIX = '.velvet-backup';

/** `velvet-2030-06-01T22-15-00.000Z.velvet-backup`: sorts by time, safe on every file system. */
export const backupFileName = (at: Date) => `velvet-${at.toISOString().replace(/:/g, '-')}${BACKUP_SUFFIX}`;

/** Where the embedded database keeps its own backups. */
export const backupsDirOf = (dataDir: string) => join(dataDir, BACKUPS_DIR);

/**
 * The embedded database backs itself up while it serves: every `intervalMs` into
 * `$VELVET_DATA_DIR/backups`, keeping the newest `keep`. Each backup is written under a temporary
 * name and renamed only once complete and verified (backup-file.ts), so what a crash leaves
 * behind never looks like a backup; such leftovers are cleared at start. A failed backup is
 * logged once per failure and tried again at the next interval; serving goes on regardless.
 */
export function startBackupRunner(
  database: Pick<Database, 'source'>,
  opts: { dir: string; intervalMs: number; keep: number; log: (msg: string) => void; now?: () => Date },
) {
  const status: BackupStatus = {
    lastSuccessAt: null,
    lastFile: null,
    lastResult: 'none',
    lastError: null,
    lastDurationMs: null,
  };
  const now = opts.now ?? (() => new Date());
  mkdirSync(opts.dir, { recursive: true });
  clearLeftovers(opts.dir, database.source.kind === 'pglite' ? database.source.dir : null);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const once = async () => {
    const started = now();
    const file = join(opts.dir, backupFileName(started));
    try {
      await takeBackup(database, file, started);
      Object.assign(status, {
        lastSuccessAt: started,
        lastFile: file,
        lastResult: 'ok',
        lastError: null,
        lastDurationMs: Date.now() - started.getTime(),
      });
      prune(opts.dir, opts.keep);
    } catch (err) {
      Object.assign(status, {
        lastResult: 'failed',
        lastError: (err as Error).message,
        lastDurationMs: Date.now() - started.getTime(),
      });
      opts.log(
        `velvet: automatic backup failed (serving goes on; next try in ${Math.round(opts.intervalMs / 60_000)} min): ${(err as Error).message}`,
      );
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = once().finally(schedule);
    }, opts.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    status,
    /** Takes one now (tests, and the CLI's wish for a fresh one); waits for one already running. */
    backupNow: async () => {
      await running;
      running = once();
      await running;
      return status;
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type BackupRunner = ReturnType<typeof startBackupRunner>;

/** Complete backups in `dir`, newest first. */
export function listBackups(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith('velvet-') && n.endsWith(BACKUP_SUFFIX))
    .sort()
    .reverse()
    .map((n) => join(dir, n));
}

function prune(dir: string, keep: number): void {
  for (const old of listBackups(dir).slice(keep)) rmSync(old, { force: true });
}

/** What a process killed mid-backup leaves: a half-written file, a snapshot's copy. */
function clearLeftovers(dir: string, dataDir: string | null): void {
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.partial')) rmSync(join(dir, name), { force: true });
  }
  if (dataDir) rmSync(snapshotDirOf(dataDir), { recursive: true, force: true });
}
