import { expect } from 'vitest';
import { UNLIMITED_ORDERS } from './harness.js';
import { runVelvet, type Running } from './process.js';

/** One HTTP answer as a client saw it; `network` when no answer came at all. */
export interface Answer {
  status: number | 'network';
  code?: string;
  result?: string;
  retryAfter?: string | null;
  body?: Record<string, unknown>;
}

/** A `velvet serve` child process on a free port, and JSON calls against it. */
export interface LiveServer {
  proc: Running;
  base: string;
  call(method: string, path: string, body?: unknown, token?: string): Promise<Answer>;
  stop(): Promise<void>;
}

export async function startLiveServer(env: Record<string, string>): Promise<LiveServer> {
  const proc = runVelvet(['serve'], { PORT: '0', LOG_LEVEL: 'warn', ...UNLIMITED_ORDERS, ...env });
  const [, base] = await proc.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  const call = async (method: string, path: string, body?: unknown, token?: string): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown> & {
        error?: { code?: string };
        result?: string;
      };
      return {
        status: res.status,
        code: json.error?.code,
        result: json.result,
        retryAfter: res.headers.get('retry-after'),
        body: json,
      };
    } catch {
      return { status: 'network' };
    }
  };
  return {
    proc,
    base: base!,
    call,
    stop: async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
    },
  };
}

/** Creates an account with the CLI (as an operator would) and logs it in over HTTP. */
export async function account(
  server: LiveServer,
  env: Record<string, string>,
  email: string,
  role: 'owner' | 'staff',
): Promise<string> {
  const password = `${role}-password-123`;
  const add = runVelvet(['user', 'add', '--email', email, '--password', password, '--role', role], env);
  expect(await add.exited, add.output()).toBe(0);
  const login = await server.call('POST', '/api/v1/auth/login', { email, password });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return login.body!.token as string;
}

/** Runs `worker` on `n` loops until `stop()` is called; resolves when they have all finished. */
export function loadLoops(n: number, worker: (loop: number) => Promise<void>) {
  let running = true;
  const loops = Array.from({ length: n }, async (_, i) => {
    while (running) await worker(i);
  });
  return {
    get running() {
      return running;
    },
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}
