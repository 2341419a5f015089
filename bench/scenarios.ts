import { randomUUID } from 'node:crypto';
import { errorLabel, type HttpClient } from './http-client.js';
import { runLoad, type LoadResult, type LoadSpec } from './load.js';
import { cpuMeter, postgresCpuMeter, processCpuMeter } from './machine.js';
import type { Seeded } from './seed.js';
import type { RushStats } from './server-process.js';
import type { ServerHandle } from './server-handle.js';

export interface ScenarioResult {
  name: string;
  database: string;
  clients: number;
  load: LoadResult;
  server: RushStats;
  /** The load generator's CPU, as a share of one core. */
  loaderCpu: number;
  /** Cores busy on the whole machine during the run. */
  machineCores: number;
  /** CPU time of the PostgreSQL processes during the run, µs (NaN on the embedded database). */
  dbCpuUs: number;
}

/** One measured run: the server samples its RSS and CPU while the load runs. */
export async function measure(server: ServerHandle, name: string, spec: LoadSpec): Promise<ScenarioResult> {
  await server.call({ type: 'rush-start', name });
  const machine = cpuMeter();
  const loader = processCpuMeter();
  const db = postgresCpuMeter();
  const load = await runLoad(spec);
  const dbCpuUs = server.database === 'postgres' ? db() : Number.NaN;
  const loaderCpu = loader();
  const machineCores = machine();
  const stats = await server.call<RushStats>({ type: 'rush-end', name });
  return {
    name,
    database: server.database,
    clients: spec.clients,
    load,
    server: stats,
    loaderCpu,
    machineCores,
    dbCpuUs,
  };
}

// As many gates as pgbench's script uses: re-entry warnings (another scanner within a minute) fire as at a real door.
const GATES = 20;

/** One online scan, as the scanner page sends it: its event, its gate, a fresh nonce. */
function scan(http: HttpClient, seeded: Seeded, qr: string, client: number): Promise<string> {
  return http
    .post(
      '/api/v1/scans',
      { qr, scanner_id: `gate-${client % GATES}`, event_id: seeded.doorEventId, nonce: randomUUID() },
      { authorization: `Bearer ${seeded.staffToken}` },
    )
    .then((reply) => {
      const body = reply.body as { result?: string; reason?: string };
      if (reply.status !== 200 || !body?.result) throw new Error(errorLabel(reply));
      return body.reason ? `${body.result}/${body.reason}` : body.result;
    });
}

/**
 * Spread: every scan takes the next code of a shuffled list of distinct paid GA tickets, so nearly
 * every scan is a first entry on its own row. Only if the list runs out does it start over (those
 * scans then show up as rejected/already_checked_in).
 */
export function spreadScans(http: HttpClient, seeded: Seeded): (client: number) => Promise<string> {
  let next = 0;
  const qrs = seeded.spreadQrs;
  return (client) => scan(http, seeded, qrs[next++ % qrs.length]!, client);
}

/** Hot: every client scans one of the VIP codes at random: re-entries queueing on the same rows. */
export function hotScans(http: HttpClient, seeded: Seeded): (client: number) => Promise<string> {
  const qrs = seeded.hotQrs;
  return (client) => scan(http, seeded, qrs[Math.floor(Math.random() * qrs.length)]!, client);
}

export const BUY_QUANTITY = 2;

/**
 * Each buyer comes from an address of their own, named the way a load balancer in front of
 * Velvet names it (the bench server trusts loopback as its proxy): what one client may hold
 * unpaid is limited per address, so one address buying for thousands would be refused.
 */
const buyerAddress = (i: number) => ({ 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });

/** Buying: a GA order of two, then pay-local with the order's own manage token, as a buyer's page does. */
export function buyOrders(http: HttpClient, seeded: Seeded): (client: number) => Promise<string> {
  if (!seeded.buyEventId) throw new Error('no presale event was seeded');
  let n = 0;
  return async () => {
    const i = n++;
    const placed = await http.post(
      `/api/v1/events/${seeded.buyEventId}/orders`,
      { email: `buyer-${i}@bench.local`, name: `Buyer ${i}`, ga_quantity: BUY_QUANTITY },
      buyerAddress(i),
    );
    const order = placed.body as { order_id?: string; manage_token?: string };
    if (placed.status !== 201 || !order.order_id || !order.manage_token)
      throw new Error(`order: ${errorLabel(placed)}`);
    const paid = await http.post(`/api/v1/orders/${order.order_id}/pay-local`, undefined, {
      authorization: `Bearer ${order.manage_token}`,
    });
    const status = (paid.body as { status?: string }).status;
    if (paid.status !== 200 || status !== 'paid') throw new Error(`pay-local: ${errorLabel(paid)}`);
    return status;
  };
}

/**
 * The table drop: every buyer wants a table at the same moment. Each client is one buyer (its own
 * e-mail) asking for a random table of the drop with their own GA ticket; `held` (201) or
 * `table_unavailable` (409) are the answers, anything else is an error.
 */
export function tableDrop(http: HttpClient, seeded: Seeded): (client: number) => Promise<string> {
  if (!seeded.drop) throw new Error('no table drop was seeded');
  const { eventId, tableIds } = seeded.drop;
  let n = 0;
  return async () => {
    const i = n++;
    const reply = await http.post(
      `/api/v1/events/${eventId}/orders`,
      {
        email: `drop-${i}@bench.local`,
        name: `Drop ${i}`,
        ga_quantity: 1,
        table_id: tableIds[Math.floor(Math.random() * tableIds.length)],
      },
      buyerAddress(i),
    );
    if (reply.status === 201) return 'held';
    if (reply.status === 409 && errorLabel(reply).endsWith('table_unavailable')) return 'table_unavailable';
    throw new Error(`order: ${errorLabel(reply)}`);
  };
}
