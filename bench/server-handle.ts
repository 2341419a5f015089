import { fork, type ChildProcess } from 'node:child_process';
import type { Seeded } from './seed.js';
import type { ServerMessage, ServerRequest, ServerSpec } from './server-process.js';

export interface ServerHandle {
  address: string;
  database: string;
  /** What the server seeded (a second instance on the same database seeds nothing: see `seeded!`). */
  seeded: Seeded;
  pid: number;
  call<T>(request: ServerRequest, timeoutMs?: number): Promise<T>;
  /** Asks for a clean stop (drain, stop jobs, close the database); kills the process if it hangs. */
  stop(): Promise<void>;
}

/** Forks bench/server-process.ts and waits until it has seeded and listens. */
export function startBenchServer(spec: ServerSpec, readyTimeoutMs: number): Promise<ServerHandle> {
  const child = fork(new URL('./server-process.ts', import.meta.url), [], {
    // e.g. BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/velvet-prof' to profile the server.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [])],
    env: { ...process.env, BENCH_SERVER_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  child.on('exit', (code, signal) => failAll(new Error(`bench server exited (${signal ?? code})`)));
  child.on('message', (m: ServerMessage) => {
    if (m.type !== 'reply') return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.value);
    else p?.reject(new Error(`bench server: ${m.error}`));
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill(child);
      reject(new Error(`bench server not ready within ${readyTimeoutMs / 1000} s`));
    }, readyTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`bench server exited before it was ready (${signal ?? code})`));
    });
    child.on('message', (m: ServerMessage) => {
      if (m.type === 'fatal') {
        clearTimeout(timer);
        reject(new Error(`bench server failed: ${m.error}`));
      } else if (m.type === 'ready') {
        clearTimeout(timer);
        resolve({
          address: m.address,
          database: m.database,
          // A second instance (plan null) shares the first one's data; its own `seeded` is never read.
          seeded: m.seeded as Seeded,
          pid: child.pid!,
          call: <T>(request: ServerRequest, timeoutMs = 30_000) =>
            new Promise<T>((res, rej) => {
              const id = nextId++;
              const t = setTimeout(() => {
                pending.delete(id);
                rej(new Error(`bench server did not answer ${request.type} within ${timeoutMs / 1000} s`));
              }, timeoutMs);
              pending.set(id, {
                resolve: (v) => (clearTimeout(t), res(v as T)),
                reject: (e) => (clearTimeout(t), rej(e)),
              });
              child.send({ id, ...request });
            }),
          stop: () => stopChild(child, (r) => child.send({ id: nextId++, ...r })),
        });
      }
    });
  });
}

async function stopChild(child: ChildProcess, send: (r: ServerRequest) => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (child.connected) send({ type: 'stop' });
  const timer = setTimeout(() => kill(child), 15_000);
  await exited;
  clearTimeout(timer);
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
