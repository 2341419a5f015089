/**
 * The Velvet server under test, in its own process (forked by bench/run.ts): the load generator
 * must not share the server's event loop, and the server's memory is then its own to measure.
 * It opens the database exactly as `velvet serve` does (createDeps + startServer, default pool),
 * seeds through the use cases, listens on 127.0.0.1 at a free port, and answers the parent's
 * requests over IPC (rush-start / rush-end for RSS and CPU, *-facts for the correctness checks, stop).
 * It exits when the parent goes away, so nothing outlives a crashed run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import type { DatabaseStats } from '../src/db/database.js';
import { createDeps } from '../src/runtime.js';
import { takeBackup } from '../src/backup/take-backup.js';
import { startServer } from '../src/server.js';
import { ORDER_SIZE, seedBench, type SeedPlan, type Seeded } from './seed.js';
import { buyFacts, doorFacts, dropFacts, refundFacts } from './verify.js';

export interface ServerSpec {
  /** Unset: the embedded database in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Settings on top of the bench's own (e.g. the Stripe fake's). */
  env?: Record<string, string>;
  /** Null: a second instance on an already seeded database (it seeds nothing, answers `seeded: null`). */
  plan: SeedPlan | null;
}

export type ServerRequest =
  | { type: 'rush-start'; name: string }
  | { type: 'rush-end'; name: string }
  | { type: 'door-facts'; eventId: string }
  | { type: 'buy-facts'; eventId: string }
  | { type: 'drop-facts'; eventId: string }
  | { type: 'refund-facts'; eventId: string }
  | { type: 'backup'; file: string }
  | { type: 'stop' };

export interface RushStats {
  peakRssMb: number;
  /** Server CPU time during the rush, as a share of one core. */
  cpuShare: number;
  /** Server CPU time during the rush, in microseconds. */
  cpuUs: number;
  /** Statements sent to the database and the round trips they took (DatabaseStats), during the rush. */
  statements: number;
  roundTrips: number;
}

export type ServerMessage =
  | { type: 'ready'; address: string; seeded: Seeded | null; database: string }
  | { type: 'fatal'; error: string }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

const send = (m: ServerMessage) => process.send?.(m);

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_SERVER_SPEC ?? '') as ServerSpec;
  const config = loadConfig({
    ...(spec.databaseUrl ? { DATABASE_URL: spec.databaseUrl } : {}),
    VELVET_DATA_DIR: spec.dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    // The load generator stands in for a load balancer in front of Velvet: it names each buyer's
    // address (scenarios.ts), and buys for thousands of people.
    VELVET_TRUST_PROXY: 'loopback',
    // Backups are measured on purpose (bench/backup.ts), never by surprise in another scenario.
    VELVET_BACKUP_INTERVAL: 'off',
    VELVET_ORDERS_PER_MINUTE_PER_ADDRESS: '100000000',
    VELVET_ORDERS_PER_MINUTE_PER_EMAIL: '100000000',
    VELVET_MAX_TICKETS_PER_ORDER: String(ORDER_SIZE),
    ...spec.env,
  });
  const deps = await createDeps(config);
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const stop = async () => {
    if (server) await server.stop();
    else await deps.database.close();
  };
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
  try {
    const seeded = spec.plan ? await seedBench(deps, spec.plan) : null;
    server = await startServer(deps, { logger: false });
    const monitor = rushMonitor(deps.database.stats);
    const profiler = process.env.BENCH_PROFILE_DIR ? scenarioProfiler(process.env.BENCH_PROFILE_DIR) : null;
    process.on('message', (m: { id: number } & ServerRequest) => {
      handle(m)
        .then((value) => send({ type: 'reply', id: m.id, ok: true, value }))
        .catch((err: unknown) =>
          send({ type: 'reply', id: m.id, ok: false, error: (err as Error).stack ?? String(err) }),
        )
        .finally(() => m.type === 'stop' && process.disconnect());
    });
    const handle = async (m: ServerRequest): Promise<unknown> => {
      switch (m.type) {
        case 'rush-start':
          await profiler?.start();
          return monitor.start();
        case 'rush-end': {
          const stats = monitor.end();
          await profiler?.stop(m.name, deps.database.kind);
          return stats;
        }
        case 'door-facts':
          return doorFacts(deps.database.db, m.eventId);
        case 'buy-facts':
          return buyFacts(deps.database.db, m.eventId);
        case 'drop-facts':
          return dropFacts(deps.database.db, m.eventId);
        case 'refund-facts':
          return refundFacts(deps.database.db, m.eventId);
        case 'backup': {
          const started = performance.now();
          let exclusiveMs = Number.NaN;
          const header = await takeBackup(deps.database, m.file, new Date(), (ms) => (exclusiveMs = ms));
          return { header, ms: performance.now() - started, exclusiveMs };
        }
        case 'stop':
          return stop();
      }
    };
    send({ type: 'ready', address: server.address, seeded, database: deps.database.kind });
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/**
 * BENCH_PROFILE_DIR=<dir>: a V8 CPU profile of the server for each measured scenario alone, written
 * as <dir>/<database>-<scenario>.cpuprofile (read it with `npx tsx bench/flame.ts <file>`).
 */
function scenarioProfiler(dir: string) {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  return {
    async start() {
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
    },
    async stop(name: string, database: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      mkdirSync(dir, { recursive: true });
      const file = `${database}-${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.cpuprofile`;
      writeFileSync(join(dir, file), JSON.stringify(profile));
    },
  };
}

/** Samples RSS every 50 ms between start and end; CPU from process.cpuUsage over the same span. */
function rushMonitor(db: DatabaseStats) {
  let timer: NodeJS.Timeout | undefined;
  let peak = 0;
  let db0 = { ...db };
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
  return {
    start() {
      peak = 0;
      sample();
      cpu0 = process.cpuUsage();
      db0 = { ...db };
      t0 = performance.now();
      timer = setInterval(sample, 50);
    },
    end(): RushStats {
      clearInterval(timer);
      sample();
      const cpu = process.cpuUsage(cpu0);
      const wallUs = (performance.now() - t0) * 1000;
      const cpuUs = cpu.user + cpu.system;
      return {
        peakRssMb: peak / 2 ** 20,
        cpuShare: cpuUs / wallUs,
        cpuUs,
        statements: db.statements - db0.statements,
        roundTrips: db.roundTrips - db0.roundTrips,
      };
    },
  };
}

main().catch((err: unknown) => {
  send({ type: 'fatal', error: (err as Error).stack ?? String(err) });
  process.exitCode = 1;
  process.disconnect?.();
});
