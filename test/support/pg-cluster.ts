import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL cluster of a test's own (initdb into a temp dir, a free port), so a fault
 * test can stop, restart and kill it without touching the shared server. Runs as the `postgres`
 * user when the tests run as root (PostgreSQL refuses to run as root).
 */
export interface Cluster {
  url: string;
  port: number;
  /** `fast` (clients disconnected cleanly) or `immediate` (like a crash: recovery on start). */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Runs SQL as the superuser (e.g. pg_terminate_backend). */
  sql(query: string): Promise<string>;
  destroy(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

async function pgRun(cmd: string, args: string[]): Promise<string> {
  const full = asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args]] : [join(BIN, cmd), args];
  const { stdout } = await run(full[0] as string, full[1] as string[], { timeout: 60_000 });
  return stdout;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function createCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'velvet-pg-'));
  if (asRoot) chownSync(dir, 101, 104);
  const data = join(dir, 'data');
  const port = await freePort();
  await pgRun('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c full_page_writes=off`;
  const start = () =>
    pgRun('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']).then(() => undefined);
  const stop = (mode: 'fast' | 'immediate' = 'fast') =>
    pgRun('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']).then(() => undefined);
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let destroyed = false;
  return {
    url,
    port,
    start,
    stop,
    restart: async (mode) => {
      await stop(mode);
      await start();
    },
    sql: (query) => pgRun('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-Atc', query]),
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await stop('immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
