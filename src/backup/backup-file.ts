import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * A Velvet backup file: one header line a person can read, then the dump (plain SQL, gzipped).
 *
 *   VELVET-BACKUP 1 {"created_at":"…","database":"pglite","migration":"0012_…","bytes":N,"sha256":"…"}\n
 *   <gzip of the SQL>
 *
 * `bytes` and `sha256` cover the gzipped part: a file cut short or changed in any byte is refused
 * before anything is restored, with a message that says which.
 */
export const BACKUP_MAGIC = 'VELVET-BACKUP 1 ';

export interface BackupHeader {
  created_at: string;
  /** Which database it was taken from. */
  database: 'pglite' | 'postgres';
  /** The last migration applied when it was taken. */
  migration: string | null;
  /** Size and SHA-256 (hex) of the gzipped dump that follows the header. */
  bytes: number;
  sha256: string;
}

export class BackupFileError extends Error {
  override name = 'BackupFileError';
}

/** Writes the backup to `path` whole or not at all: a temporary file, synced, then renamed. */
export function writeBackupFile(path: string, sql: string, meta: Omit<BackupHeader, 'bytes' | 'sha256'>): BackupHeader {
  const body = gzipSync(sql, { level: 6 });
  const header: BackupHeader = { ...meta, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w', 0o600);
  try {
    writeSync(fd, `${BACKUP_MAGIC}${JSON.stringify(header)}\n`);
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // Read back before it takes the real name: only a verified file ever looks like a backup.
    readBackupFile(partial);
    renameSync(partial, path);
    syncDir(dirname(path));
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  return header;
}

/** Just the header (what, when, from where), without reading or checking the rest. */
export function readBackupHeader(path: string): BackupHeader {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    const line = head.subarray(0, n).toString('utf8').split('\n')[0]!;
    if (!line.startsWith(BACKUP_MAGIC)) throw new BackupFileError(`${path} is not a Velvet backup`);
    return JSON.parse(line.slice(BACKUP_MAGIC.length)) as BackupHeader;
  } finally {
    closeSync(fd);
  }
}

/** The header and the SQL of a backup file, after checking it is whole and unchanged. */
export function readBackupFile(path: string): { header: BackupHeader; sql: string } {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new BackupFileError(`cannot read the backup ${path}: ${(err as Error).message}`);
  }
  const newline = data.indexOf(0x0a);
  const first = data.subarray(0, newline < 0 ? Math.min(data.length, 200) : newline).toString('utf8');
  if (!first.startsWith(BACKUP_MAGIC))
    throw new BackupFileError(`${path} is not a Velvet backup (it does not start with "${BACKUP_MAGIC.trim()}")`);
  let header: BackupHeader;
  try {
    header = JSON.parse(first.slice(BACKUP_MAGIC.length)) as BackupHeader;
  } catch {
    throw new BackupFileError(`${path}: the backup's header is damaged`);
  }
  const body = data.subarray(newline + 1);
  if (body.length !== header.bytes) {
    throw new BackupFileError(
      `${path} is incomplete: ${body.length} of ${header.bytes} bytes (cut short while it was copied or written?)`,
    );
  }
  if (createHash('sha256').update(body).digest('hex') !== header.sha256) {
    throw new BackupFileError(`${path} has been changed since it was written: its checksum does not match`);
  }
  let sql: string;
  try {
    sql = gunzipSync(body).toString('utf8');
  } catch (err) {
    throw new BackupFileError(`${path}: the dump does not decompress (${(err as Error).message})`);
  }
  return { header, sql };
}

/** Makes a rename in `dir` durable (POSIX: the directory entry is data of the directory). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not every platform lets a directory be synced (Windows); the rename itself is atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
