/**
 * `npm run bench`: the door rush on a real Velvet server, as ratios of the raw PostgreSQL check-in
 * limit measured in the same run. Phases, in order (nothing else of Velvet runs during the first):
 *   1. raw limit: ../shared/bench/raw-limit.sh (pgbench, same client count and duration);
 *   2. PostgreSQL: scratch database, server process seeded through the use cases, warm-up, then
 *      door rush spread, door rush hot, buying; correctness checked against the tables;
 *   3. PGlite: the same spread rush on the embedded database (a temp directory), fewer clients.
 * Scratch databases and directories are removed on the way out, on error and on Ctrl-C too; a
 * watchdog ends a run that overstays. Exit code 1 when a correctness check fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase } from '../test/support/database.js';
import { buyChecks, doorChecks, dropChecks, type Check } from './checks.js';
import { HttpClient } from './http-client.js';
import { perSecondRate, runLoad } from './load.js';
import { runPeer } from './peer.js';
import { describeMachine } from './machine.js';
import { parseOptions, type BenchOptions, type BenchPart } from './options.js';
import { measureRawLimit } from './raw-limit.js';
import { checksText, details, header, resultsTable, type TableRow } from './report.js';
import {
  BUY_QUANTITY,
  buyOrders,
  hotScans,
  measure,
  spreadScans,
  tableDrop,
  type ScenarioResult,
} from './scenarios.js';
import { fanoutText, measureFanout, type FanoutFigures } from './fanout.js';
import { refundText, runMassRefund } from './mass-refund.js';
import { backupText, measureBackup } from './backup.js';
import { measureMetricsCost, METRICS_ENV, metricsCostText, type MetricsCost } from './metrics-cost.js';
import { measurePushCost, PUSH_ENV, pushChecks, pushText, type PushCost } from './push-cost.js';
import { measureOfflineDecision, offlineText, type OfflineRun } from './offline-decision.js';
import { cacheText, measureScannerCache, type CacheFigures } from './scanner-cache.js';
import { startBenchServer, type ServerHandle } from './server-handle.js';
import type { BuyFacts, DoorFacts, DropFacts } from './verify.js';

const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> = Promise.resolve();
/**
 * Undoes everything registered since `mark` (all of it by default), newest first. Calls queue up
 * behind each other, so a Ctrl-C during a phase's own cleanup waits for it instead of exiting mid-drop.
 */
function cleanUp(mark = 0): Promise<void> {
  cleaning = cleaning.then(async () => {
    while (cleanups.length > mark) {
      try {
        await cleanups.pop()!();
      } catch (err) {
        console.error(`bench: cleanup failed: ${(err as Error).message}`);
      }
    }
  });
  return cleaning;
}

const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
// Ample for the database to seed; ready means seeded and listening.
const READY_TIMEOUT_MS = 240_000;
// Every load run is bounded in count as well as time: at most this many requests per second of it.
const MAX_RATE = 20_000;

async function main(opts: BenchOptions): Promise<number> {
  process.env.DATABASE_URL ??= opts.databaseUrl;
  const machine = await describeMachine(opts.databaseUrl);
  console.log(header(machine, opts.clients, opts.seconds, opts.quick));

  const want = (part: BenchPart) => !opts.only || opts.only.has(part);
  const noRaw = { spread: Number.NaN, hot: Number.NaN };
  const rows: TableRow[] = [];
  const checks: Check[] = [];
  const seeding: string[] = [];

  let raw = noRaw;
  if (want('raw')) {
    log(`raw limit: pgbench, ${opts.clients} clients, 2 x ${opts.seconds} s`);
    raw = await measureRawLimit(opts.rawLimitScript, opts.databaseUrl, opts.clients, opts.seconds);
  }
  let peerRate: number | undefined;
  if (want('peer')) {
    log(`peer: ${opts.peerScript}, ${opts.clients} clients, warm-up ${opts.warmupSeconds} s, ${opts.seconds} s`);
    const peer = await phase(() =>
      runPeer(
        {
          peerScript: opts.peerScript,
          clients: opts.clients,
          seconds: opts.seconds,
          warmupSeconds: opts.warmupSeconds,
          maxRate: MAX_RATE,
        },
        cleanups,
      ),
    );
    peerRate = perSecondRate(peer.spread.load);
    rows.push({ r: peer.spread, ratioTo: raw.spread, peer: peerRate, unit: 'scans/s' });
    checks.push(
      {
        name: 'peer: no ticket admitted twice',
        ok: peer.admittedTwice === 0,
        detail: `${peer.admittedTwice} (expected 0)`,
      },
      {
        name: 'peer: scan rows = scans answered',
        ok: peer.scanRows === 0,
        detail: `${peer.scanRows} rows more than answers (expected 0)`,
      },
    );
  }
  const notes: string[] = [];
  if (
    ['door', 'hot', 'buy', 'drop', 'cache', 'offline', 'fanout', 'metrics', 'push'].some((p) => want(p as BenchPart))
  ) {
    const pg = await phase(() => postgresPhase(opts, want));
    if (pg.spread)
      rows.push({ r: pg.spread, ratioTo: raw.spread, ...(peerRate ? { peer: peerRate } : {}), unit: 'scans/s' });
    if (pg.hot) rows.push({ r: pg.hot, ratioTo: raw.hot, unit: 'scans/s' });
    if (pg.buy) rows.push({ r: pg.buy, unit: 'orders/s' });
    if (pg.drop) rows.push({ r: pg.drop, unit: 'orders/s' });
    checks.push(...pg.checks);
    if (pg.cache) notes.push(cacheText(pg.cache));
    if (pg.offline) notes.push(offlineText(pg.offline, opts.cacheTickets));
    if (pg.fanout) notes.push(fanoutText(pg.fanout));
    if (pg.metrics) notes.push(metricsCostText(pg.metrics));
    if (pg.push) notes.push(pushText(pg.push));
    seeding.push(`postgres ${(pg.seedMs / 1000).toFixed(1)} s`);
  }
  if (want('refund')) {
    // A failure here is reported with the rest of the run's figures instead of losing them.
    try {
      const refund = await phase(() =>
        runMassRefund(
          {
            orders: opts.refundOrders,
            limitPerSecond: opts.refundLimitPerSecond,
            ratePerSecond: opts.refundRatePerSecond,
            dataDir: join(tmpdir(), 'velvet-bench-unused'),
            timeoutMs: 300_000,
          },
          cleanups,
          startServer,
          log,
        ),
      );
      notes.push(refundText(refund.figures));
      checks.push(...refund.checks);
    } catch (err) {
      checks.push({ name: 'postgres: mass refund ran', ok: false, detail: (err as Error).message });
    }
  }
  if (want('pglite')) {
    const lite = await phase(() => pglitePhase(opts));
    rows.push({ r: lite.spread, ratioTo: raw.spread, unit: 'scans/s' });
    checks.push(...lite.checks);
    seeding.push(`pglite ${(lite.seedMs / 1000).toFixed(1)} s`);
  }

  if (want('backup')) {
    try {
      const backup = await phase(() =>
        measureBackup(
          { tickets: opts.backupTickets, clients: opts.pgliteClients, baselineSeconds: opts.quick ? 3 : 8 },
          cleanups,
          startServer,
          log,
        ),
      );
      notes.push(backupText(backup.figures));
      checks.push(...backup.checks);
    } catch (err) {
      checks.push({ name: 'backup: ran', ok: false, detail: (err as Error).message });
    }
  }

  console.log('');
  console.log(resultsTable(raw, rows));
  console.log('');
  console.log(details(rows.map((r) => r.r)));
  for (const note of notes) console.log(note);
  console.log(`seeding through the use cases: ${seeding.join(', ')}`);
  console.log(checksText('correctness', checks));
  return checks.every((c) => c.ok) ? 0 : 1;
}

/** Runs a phase; its server, client and scratch database are gone before the next phase starts. */
async function phase<T>(run: () => Promise<T>): Promise<T> {
  const mark = cleanups.length;
  try {
    return await run();
  } finally {
    await cleanUp(mark);
  }
}

async function postgresPhase(opts: BenchOptions, want: (part: BenchPart) => boolean) {
  const scratch = await createScratchDatabase();
  cleanups.push(() => scratch.drop());
  log(`postgres: seeding ${opts.spreadTickets} GA + ${2 * opts.hotTables} VIP tickets through the use cases`);
  const server = await startServer({
    databaseUrl: scratch.url,
    dataDir: join(tmpdir(), 'velvet-bench-unused'),
    plan: {
      spreadTickets: opts.spreadTickets,
      hotTables: opts.hotTables,
      buyCapacity: 1_000_000,
      dropTables: want('drop') ? opts.dropTables : 0,
      cacheTickets: want('cache') || want('offline') ? opts.cacheTickets : 0,
      fanoutTables: want('fanout') ? opts.fanoutTables : 0,
      pushTables: want('push') ? opts.pushTables : 0,
    },
  });
  const http = new HttpClient(server.address, Math.max(opts.clients, opts.buyClients, opts.dropInFlight));
  cleanups.push(() => http.close());
  const seeded = server.seeded;
  const bound = (clients: number, seconds: number) => ({
    clients,
    durationMs: seconds * 1000,
    maxRequests: seconds * MAX_RATE,
  });

  // One cursor for warm-up and rush: the measured run continues with codes never scanned.
  const spreadStep = spreadScans(http, seeded);
  log(`postgres: warm-up ${opts.warmupSeconds} s (spread scans, counted in the checks, not in the figures)`);
  const warm = await runLoad({ ...bound(opts.clients, opts.warmupSeconds), step: spreadStep });
  const loads = [warm];
  let spread: ScenarioResult | undefined;
  let hot: ScenarioResult | undefined;
  let buy: ScenarioResult | undefined;
  if (want('door')) {
    log(`postgres: door rush, spread, ${opts.seconds} s`);
    spread = await measure(server, 'door rush: spread', { ...bound(opts.clients, opts.seconds), step: spreadStep });
    loads.push(spread.load);
  }
  if (want('hot')) {
    log(`postgres: door rush, hot (${seeded.hotQrs.length} VIP codes), ${opts.seconds} s`);
    hot = await measure(server, 'door rush: hot VIP', {
      ...bound(opts.clients, opts.seconds),
      step: hotScans(http, seeded),
    });
    loads.push(hot.load);
  }
  const checks: Check[] = [];
  if (want('buy')) {
    log(`postgres: buying, ${opts.buyClients} clients, ${opts.buySeconds} s`);
    buy = await measure(server, `buying: GA x${BUY_QUANTITY} + pay`, {
      ...bound(opts.buyClients, opts.buySeconds),
      step: buyOrders(http, seeded),
    });
    const bought = await server.call<BuyFacts>({ type: 'buy-facts', eventId: seeded.buyEventId! });
    checks.push(...buyChecks(bought, buy.load, BUY_QUANTITY).map(tag('postgres')));
  }
  let drop: ScenarioResult | undefined;
  if (want('drop')) {
    log(`postgres: table drop, ${opts.dropBuyers} buyers on ${opts.dropTables} tables, ${opts.dropInFlight} at once`);
    await http.connect(opts.dropInFlight);
    drop = await measure(server, `table drop: ${opts.dropBuyers} buyers, ${opts.dropTables} tables`, {
      clients: opts.dropInFlight,
      durationMs: 120_000,
      maxRequests: opts.dropBuyers,
      step: tableDrop(http, seeded),
    });
    const facts = await server.call<DropFacts>({ type: 'drop-facts', eventId: seeded.drop!.eventId });
    checks.push(...dropChecks(facts, drop.load, opts.dropTables).map(tag('postgres')));
  }
  let cache: CacheFigures | undefined;
  if (want('cache')) {
    log(`postgres: scanner cache, ${opts.cacheTickets} tickets, then ?since= after 100 check-ins`);
    cache = await measureScannerCache(http, {
      eventId: seeded.cache!.eventId,
      qrs: seeded.cache!.qrs,
      staffToken: seeded.staffToken,
      repeats: 5,
      changes: 100,
    });
  }
  let offline: OfflineRun[] | undefined;
  if (want('offline')) {
    log(`offline decision: the scanner bundle over ${opts.cacheTickets} cached tickets`);
    offline = await measureOfflineDecision(http, {
      eventId: seeded.cache!.eventId,
      qrs: seeded.cache!.qrs.slice(200),
      staffToken: seeded.staffToken,
      decisions: 5_000,
    });
  }
  let fanout: FanoutFigures | undefined;
  if (want('fanout')) {
    log(
      `postgres: a second server process on the same database; fan-out to ${opts.fanoutStreams} floor plans over both, ${opts.fanoutTables} host scans`,
    );
    const second = await startServer({
      databaseUrl: scratch.url,
      dataDir: join(tmpdir(), 'velvet-bench-unused'),
      plan: null,
    });
    fanout = await measureFanout({
      servers: [server.address, second.address],
      door: http,
      eventId: seeded.fanout!.eventId,
      staffToken: seeded.staffToken,
      hosts: seeded.fanout!.hosts,
      streams: opts.fanoutStreams,
      scansPerSecond: opts.fanoutScansPerSecond,
    });
    checks.push({
      name: 'postgres: fan-out: every change reached every stream',
      ok: fanout.missing === 0,
      detail: `${fanout.missing} missing (expected 0)`,
    });
  }
  let metrics: MetricsCost | undefined;
  if (want('metrics')) {
    log(
      `postgres: what metrics cost the door: a second server with VELVET_METRICS_TOKEN, door rush A B A B, ${opts.seconds} s each side`,
    );
    const withMetrics = await startServer({
      databaseUrl: scratch.url,
      dataDir: join(tmpdir(), 'velvet-bench-unused'),
      plan: null,
      env: METRICS_ENV,
    });
    metrics = await measureMetricsCost({
      off: server.address,
      on: withMetrics.address,
      seeded,
      clients: opts.clients,
      seconds: opts.seconds,
      maxRate: MAX_RATE,
    });
    loads.push(...metrics.loads);
  }
  let push: PushCost | undefined;
  if (want('push')) {
    log(
      `postgres: what telling hosts costs the door: a server that takes local push endpoints, ${opts.pushTables / 2} hosts subscribed, door rush on guests A B B A, ${opts.seconds} s each side`,
    );
    const withPush = await startServer({
      databaseUrl: scratch.url,
      dataDir: join(tmpdir(), 'velvet-bench-unused'),
      plan: null,
      env: PUSH_ENV,
    });
    push = await measurePushCost({
      server: withPush.address,
      seeded,
      clients: opts.clients,
      seconds: opts.seconds,
      maxRate: MAX_RATE,
    });
    checks.push(...pushChecks(push).map(tag('postgres')));
  }
  const door = await server.call<DoorFacts>({ type: 'door-facts', eventId: seeded.doorEventId });
  checks.unshift(...doorChecks(door, loads).map(tag('postgres')));
  return { spread, hot, buy, drop, cache, offline, fanout, metrics, push, checks, seedMs: seeded.seedMs };
}

async function pglitePhase(opts: BenchOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'velvet-bench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  log(`pglite: seeding ${opts.pgliteTickets} GA tickets through the use cases`);
  const server = await startServer({
    dataDir: join(dir, 'data'),
    plan: {
      spreadTickets: opts.pgliteTickets,
      hotTables: 0,
      buyCapacity: 0,
      dropTables: 0,
      cacheTickets: 0,
      fanoutTables: 0,
    },
  });
  const http = new HttpClient(server.address, opts.pgliteClients);
  cleanups.push(() => http.close());
  const step = spreadScans(http, server.seeded);
  log(
    `pglite: warm-up ${opts.warmupSeconds} s, then door rush, spread, ${opts.pgliteClients} clients, ${opts.pgliteSeconds} s`,
  );
  const warm = await runLoad({
    clients: opts.pgliteClients,
    durationMs: opts.warmupSeconds * 1000,
    maxRequests: opts.warmupSeconds * MAX_RATE,
    step,
  });
  const spread = await measure(server, 'door rush: spread', {
    clients: opts.pgliteClients,
    durationMs: opts.pgliteSeconds * 1000,
    maxRequests: opts.pgliteSeconds * MAX_RATE,
    step,
  });
  const door = await server.call<DoorFacts>({ type: 'door-facts', eventId: server.seeded.doorEventId });
  return { spread, checks: doorChecks(door, [warm, spread.load]).map(tag('pglite')), seedMs: server.seeded.seedMs };
}

async function startServer(spec: Parameters<typeof startBenchServer>[0]): Promise<ServerHandle> {
  const server = await startBenchServer(spec, READY_TIMEOUT_MS);
  cleanups.push(() => server.stop());
  return server;
}

const tag =
  (db: string) =>
  (c: Check): Check => ({ ...c, name: `${db}: ${c.name}` });

// The whole run is bounded: a stuck phase ends it (after cleaning up) instead of hanging.
function watchdog(opts: BenchOptions): NodeJS.Timeout {
  const budgetS =
    3 * opts.seconds +
    opts.warmupSeconds +
    60 +
    600 +
    2 * (opts.seconds + opts.buySeconds + opts.pgliteSeconds + 2 * opts.warmupSeconds) +
    3 * 240 +
    120 +
    600;
  return setTimeout(() => {
    console.error(`bench: still running after ${budgetS} s; giving up`);
    void cleanUp().finally(() => process.exit(1));
  }, budgetS * 1000);
}

// Ctrl-C reaches this process twice (from the terminal and relayed by tsx): the first starts the
// cleanup, later ones must not kill it half-way (each cleanup step is bounded by its own timeout).
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    console.error(`bench: ${signal}, cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

let timer: NodeJS.Timeout | undefined;
try {
  const opts = parseOptions(process.argv.slice(2));
  timer = watchdog(opts);
  process.exitCode = await main(opts);
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(timer);
  await cleanUp();
}
