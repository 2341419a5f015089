/**
 * The peer to beat (../shared/bench/peer-server.mjs): a hand-written Fastify + pg door server doing
 * the raw limit's five-round-trip check-in. It runs in its own process on a scratch database
 * prepared with the shared schema.sql, and is driven by the same load generator, client count,
 * duration and warm-up as Velvet's spread rush, each scan the next of a shuffled list of distinct
 * tickets (every scan a first entry).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createScratchDatabase } from '../test/support/database.js';
import { errorLabel, HttpClient } from './http-client.js';
import { runLoad } from './load.js';
import { childMeter, postgresCpuMeter, processCpuMeter } from './machine.js';
import { shuffle } from './seed.js';
import type { ScenarioResult } from './scenarios.js';

const PEER_TICKETS = 100_000;

export interface PeerRun {
  spread: ScenarioResult;
  /** Checked from the peer's own tables: no ticket admitted twice, one scan row per answer. */
  admittedTwice: number;
  scanRows: number;
}

export async function runPeer(
  opts: { peerScript: string; clients: number; seconds: number; warmupSeconds: number; maxRate: number },
  cleanups: Array<() => Promise<void> | void>,
): Promise<PeerRun> {
  const scratch = await createScratchDatabase();
  cleanups.push(() => scratch.drop());
  await runSqlFile(scratch.url, join(dirname(opts.peerScript), 'schema.sql'));
  const peer = await startPeer(opts.peerScript, scratch.url);
  cleanups.push(() => stopPeer(peer.child));
  const http = new HttpClient(peer.address, opts.clients);
  cleanups.push(() => http.close());

  const order = Array.from({ length: PEER_TICKETS }, (_, i) => i + 1);
  shuffle(order);
  let next = 0;
  const step = async (client: number) => {
    const reply = await http.post('/scan', { n: order[next++ % order.length], scanner_id: `gate-${client % 20}` });
    const result = (reply.body as { result?: string } | null)?.result;
    if (reply.status !== 200 || !result) throw new Error(errorLabel(reply));
    return result;
  };
  const bound = (seconds: number) => ({
    clients: opts.clients,
    durationMs: seconds * 1000,
    maxRequests: seconds * opts.maxRate,
    step,
  });
  const warm = await runLoad(bound(opts.warmupSeconds));
  const meter = childMeter(peer.child.pid!);
  const loader = processCpuMeter();
  const db = postgresCpuMeter();
  const load = await runLoad(bound(opts.seconds));
  const dbCpuUs = db();
  const loaderCpu = loader();
  const usage = meter();
  const facts = await peerFacts(scratch.url);
  const answered = warm.ok + load.ok;
  return {
    spread: {
      name: 'peer: door rush, spread',
      database: 'postgres',
      clients: opts.clients,
      load,
      // The peer's statements are not counted (its code is not ours to instrument): by its
      // source, five per scan, each its own round trip.
      server: {
        peakRssMb: usage.peakRssMb,
        cpuShare: usage.cpuShare,
        cpuUs: usage.cpuUs,
        statements: Number.NaN,
        roundTrips: Number.NaN,
      },
      loaderCpu,
      dbCpuUs,
      machineCores: usage.machineCores,
    },
    admittedTwice: facts.admittedTwice,
    scanRows: facts.scanRows - answered,
  };
}

/** psql, as raw-limit.sh does: the schema file ends with VACUUM, which no transaction may hold. */
async function runSqlFile(url: string, file: string): Promise<void> {
  await promisify(execFile)('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-f', file]);
}

async function peerFacts(url: string): Promise<{ admittedTwice: number; scanRows: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const twice = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM (SELECT ticket_id FROM scans WHERE result = 'admitted' GROUP BY ticket_id HAVING count(*) > 1) x",
    );
    const rows = await client.query<{ n: string }>('SELECT count(*) AS n FROM scans');
    return { admittedTwice: Number(twice.rows[0]!.n), scanRows: Number(rows.rows[0]!.n) };
  } finally {
    await client.end();
  }
}

function startPeer(script: string, databaseUrl: string): Promise<{ child: ChildProcess; address: string }> {
  // The peer imports fastify and pg from the project's node_modules: run it from the project root.
  const child = spawn(process.execPath, [script], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the peer server did not start within 30 s')), 30_000);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, address: `http://127.0.0.1:${m[1]}` });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the peer server exited (${code}) before it listened`));
    });
  });
}

async function stopPeer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
