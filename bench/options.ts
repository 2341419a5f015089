import { resolve } from 'node:path';

/** What one `npm run bench` does; `--quick` shrinks every phase to a smoke run of ~1 minute. */
export const benchParts = [
  'raw',
  'peer',
  'door',
  'hot',
  'buy',
  'drop',
  'cache',
  'offline',
  'fanout',
  'refund',
  'pglite',
  'backup',
  'metrics',
  'push',
] as const;
export type BenchPart = (typeof benchParts)[number];

export interface BenchOptions {
  quick: boolean;
  /** `--only door,peer`: just these parts (for profiling one of them); all by default. */
  only: Set<BenchPart> | null;
  /** Admin connection; every database the bench uses is a scratch one created beside it. */
  databaseUrl: string;
  rawLimitScript: string;
  /** The hand-written door server Velvet's spread rush is compared with. */
  peerScript: string;
  /** Concurrent scanners against PostgreSQL (and pgbench clients for the raw limit). */
  clients: number;
  seconds: number;
  warmupSeconds: number;
  /** GA tickets seeded for the spread rush: more than the run can scan, so nearly all are first admits. */
  spreadTickets: number;
  /** Tables whose host and one linked guest make the hot set (2 tickets per table). */
  hotTables: number;
  buyClients: number;
  buySeconds: number;
  /** The table drop: this many buyers, at most `dropInFlight` at once, on `dropTables` tables. */
  dropBuyers: number;
  dropInFlight: number;
  dropTables: number;
  /** Paid tickets of the event whose scanner cache is measured. */
  cacheTickets: number;
  /** Floor-plan fan-out: open streams (over two server processes), tables scanned in, scans per second. */
  fanoutStreams: number;
  fanoutTables: number;
  fanoutScansPerSecond: number;
  /** Mass refund: paid orders of the cancelled event, the Stripe fake's limit, Velvet's budget. */
  refundOrders: number;
  refundLimitPerSecond: number;
  refundRatePerSecond: number;
  pgliteClients: number;
  pgliteSeconds: number;
  pgliteTickets: number;
  /** Backup and restore: paid tickets of the embedded database backed up while the door scans. */
  backupTickets: number;
  /** Host notifications: tables of eight (half with a subscribed host) whose guests the door scans. */
  pushTables: number;
}

const usage = `usage: npm run bench [-- --quick] [--clients N] [--seconds N] [--only ${benchParts.join(',')}]`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = argv.includes('--quick');
  const opts: BenchOptions = {
    quick,
    only: null,
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    rawLimitScript: resolve(import.meta.dirname, '../../shared/bench/raw-limit.sh'),
    peerScript: resolve(import.meta.dirname, '../../shared/bench/peer-server.mjs'),
    clients: 32,
    seconds: quick ? 4 : 20,
    warmupSeconds: quick ? 1 : 3,
    spreadTickets: quick ? 5_000 : 80_000,
    hotTables: 5,
    buyClients: 32,
    buySeconds: quick ? 3 : 10,
    dropBuyers: 2_000,
    dropInFlight: 200,
    dropTables: 50,
    cacheTickets: quick ? 2_000 : 20_000,
    fanoutStreams: quick ? 200 : 1_000,
    fanoutTables: quick ? 40 : 200,
    fanoutScansPerSecond: 20,
    refundOrders: quick ? 500 : 10_000,
    refundLimitPerSecond: 100,
    // A little under the provider's limit: two calls a slot apart may still reach it closer together.
    refundRatePerSecond: 95,
    pgliteClients: 8,
    pgliteSeconds: quick ? 3 : 10,
    pgliteTickets: quick ? 3_000 : 20_000,
    backupTickets: quick ? 10_000 : 100_000,
    // 1,000 subscribed hosts, 7,000 guests on each side: more first entries than a side can scan.
    pushTables: quick ? 200 : 2_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') continue;
    if (arg === '--only') {
      const parts = (argv[++i] ?? '').split(',');
      const unknown = parts.filter((p) => !(benchParts as readonly string[]).includes(p));
      if (unknown.length) throw new Error(`unknown part ${unknown.join(', ')}\n${usage}`);
      opts.only = new Set(parts as BenchPart[]);
      continue;
    }
    if (arg === '--clients' || arg === '--seconds') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 200)
        throw new Error(`${arg} needs a whole number from 1 to 200\n${usage}`);
      if (arg === '--clients') opts.clients = n;
      else opts.seconds = n;
      continue;
    }
    throw new Error(`unknown argument ${arg}\n${usage}`);
  }
  const host = new URL(opts.databaseUrl).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost')
    throw new Error(`DATABASE_URL must point at this machine (got ${host}): the bench creates and drops databases`);
  return opts;
}
