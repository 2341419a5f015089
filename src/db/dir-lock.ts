import { createHash } from 'node:crypto';
import { existsSync, readlinkSync, realpathSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The embedded database's directory belongs to one process at a time: two PGlite instances on one
 * directory silently lose writes. The lock is a listening Unix socket named after the directory's
 * real path (symlinks resolved, so every path to it names the same lock):
 *
 * - On Linux it lives in the abstract namespace: the kernel holds the name while the process lives
 *   and frees it the moment the process dies, however it dies (SIGKILL included). There is no file
 *   that could go stale, nothing to refresh, and no timestamp a busy event loop could let lapse:
 *   a live holder cannot lose it, and a dead one never holds it.
 * - On Windows a named pipe behaves the same way.
 * - Elsewhere (macOS, BSD) it is a socket file beside the directory. A file left by a dead process
 *   is found out by connecting to it (nobody answers) and replaced.
 *
 * Whoever is refused connects to the holder, which answers with its process id, so the message
 * can say which process to stop. Only processes on this machine (network namespace) see the lock.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: string | null,
    advice = 'Stop it first, or set VELVET_DATA_DIR to another directory.',
  ) {
    super(`Another Velvet process${holder ? ` (${holder})` : ''} is using the data directory ${dir}. ${advice}`);
    this.name = 'DataDirLockedError';
  }
}

export interface DirLock {
  /** The directory's real path, as the lock names it. */
  readonly dir: string;
  release(): Promise<void>;
}

export async function lockDataDir(path: string): Promise<DirLock> {
  const dir = realDir(path);
  const address = lockAddress(dir);
  const server = createServer((socket) => socket.end(JSON.stringify({ pid: process.pid, since: startedAt })));
  try {
    await listen(server, address);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    const holder = await askHolder(address);
    if (holder !== null || !address.file) throw new DataDirLockedError(dir, holder);
    // A socket file nobody answers on: its process is gone. Replace it.
    unlinkSync(address.path);
    try {
      await listen(server, address);
    } catch (again) {
      if ((again as { code?: string }).code === 'EADDRINUSE')
        throw new DataDirLockedError(dir, await askHolder(address));
      throw again;
    }
  }
  // The lock must not keep a finished process alive.
  server.unref();
  let released: Promise<void> | undefined;
  return {
    dir,
    release: () => (released ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

const startedAt = new Date().toISOString();

interface LockAddress {
  path: string;
  /** A socket file on disk (not the abstract namespace or a pipe): it can outlive its process. */
  file: boolean;
}

/**
 * The directory's real path. One that does not exist yet is its parent's real path and its name,
 * or, when the name is a symlink to a directory still to be made, wherever the link points.
 */
export function realDir(path: string, depth = 0): string {
  if (existsSync(path)) return realpathSync(path);
  const link = readLink(path);
  if (link !== null && depth < 16) return realDir(resolve(dirname(path), link), depth + 1);
  return join(realDir(dirname(path), depth + 1), basename(path));
}

function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function lockAddress(dir: string): LockAddress {
  const id = createHash('sha256').update(dir).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { path: `\0velvet-data-dir-${id}`, file: false };
  if (process.platform === 'win32') return { path: `\\\\?\\pipe\\velvet-data-dir-${id}`, file: false };
  return { path: `${dir}.lock.sock`, file: true };
}

function listen(server: Server, address: LockAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ path: address.path, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Who holds the lock ("pid 1234, since …"), or null when nobody answers at that address. */
function askHolder(address: LockAddress): Promise<string | null> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = createConnection({ path: address.path });
    const done = (value: string | null) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2_000, () => done(answer ? describe(answer) : 'a process that does not answer'));
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('end', () => done(describe(answer)));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? null : `unknown: ${err.code}`),
    );
  });
}

function describe(answer: string): string {
  try {
    const { pid, since } = JSON.parse(answer) as { pid: number; since: string };
    return `pid ${pid}, running since ${since}`;
  } catch {
    return 'a process that does not say who it is';
  }
}
