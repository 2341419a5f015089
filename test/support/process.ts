import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/db/open.js';
import { addUser } from '../../src/services/accounts/accounts.service.js';
import { migratedDataDir } from './database.js';

export const VELVET_BIN = fileURLToPath(new URL('../../bin/velvet.js', import.meta.url));

export interface Running {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in stdout+stderr, or rejects when the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

/** Runs `velvet <args>` as a real child process, collecting its output. */
export function runVelvet(args: string[], env: Record<string, string | undefined>): Running {
  const child = spawn(process.execPath, [VELVET_BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    output: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${out}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then((code) => {
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`exited with ${code} before ${pattern}; output:\n${out}`));
          }
        });
        check();
      }),
  };
}

/** Creates accounts with the CLI, as an operator does before the first start (all with one password). */
/**
 * Owner and staff accounts in the database `env` names, before a server starts there: a fixture,
 * written in this process (test/cli.test.ts runs `velvet user add` itself). The database is closed
 * again, so the data directory is free for the server.
 */
export async function addAccounts(
  env: Record<string, string | undefined>,
  password: string,
  accounts: Array<[email: string, role: 'owner' | 'staff']>,
): Promise<void> {
  const seen = { ...process.env, ...env }; // as the server will see it (runVelvet)
  if (!seen.DATABASE_URL && seen.VELVET_DATA_DIR && !existsSync(seen.VELVET_DATA_DIR))
    await migratedDataDir(seen.VELVET_DATA_DIR);
  const database = await openDatabase({ databaseUrl: seen.DATABASE_URL, dataDir: seen.VELVET_DATA_DIR ?? './data' });
  try {
    for (const [email, role] of accounts) await addUser({ database }, { email, password, role });
  } finally {
    await database.close();
  }
}

/** Stops a `velvet serve` with SIGTERM (as an operator does) and waits for it to exit. */
export async function stopVelvet(server: Running | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  await server.exited;
}
