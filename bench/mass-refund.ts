/**
 * Mass refund: an event with `orders` paid card orders is cancelled while two Velvet processes
 * run on its database, against a Stripe fake that answers 429 beyond `limitPerSecond` requests in
 * any second (as Stripe does). Measured: from the cancellation answered to every refund recorded;
 * checked: none lost, none paid twice, and the fake's busiest second, which shows whether the two
 * processes kept to one budget (VELVET_REFUND_RATE_PER_SECOND is shared through the database).
 */
import { FakeStripe, stripeEnv } from '../test/support/fake-stripe.js';
import { createScratchDatabase } from '../test/support/database.js';
import type { Check } from './checks.js';
import { HttpClient } from './http-client.js';
import type { ServerHandle } from './server-handle.js';
import type { ServerSpec } from './server-process.js';
import type { RefundFacts } from './verify.js';

export interface RefundFigures {
  orders: number;
  processes: number;
  limitPerSecond: number;
  ratePerSecond: number;
  /** From the cancellation answered to the last refund recorded. */
  seconds: number;
  /** The owner's `POST /cancel` itself. */
  cancelSeconds: number;
  succeeded: number;
  failed: number;
  /** Refund objects the fake created, and keys it created more than one for. */
  created: number;
  duplicateKeys: number;
  /** Requests to the fake in its busiest sliding second, and those it answered 429. */
  busiestSecond: number;
  rateLimited: number;
}

export async function runMassRefund(
  p: { orders: number; limitPerSecond: number; ratePerSecond: number; dataDir: string; timeoutMs: number },
  cleanups: Array<() => Promise<void> | void>,
  startServer: (spec: ServerSpec) => Promise<ServerHandle>,
  log: (msg: string) => void,
): Promise<{ figures: RefundFigures; checks: Check[] }> {
  const fake = await FakeStripe.start();
  cleanups.push(() => fake.close());
  fake.autoSucceed = true;
  const scratch = await createScratchDatabase();
  cleanups.push(() => scratch.drop());
  const env = stripeEnv(fake, { VELVET_REFUND_RATE_PER_SECOND: String(p.ratePerSecond) });
  log(`mass refund: seeding ${p.orders} card orders (Stripe fake), then a second process`);
  const first = await startServer({
    databaseUrl: scratch.url,
    dataDir: p.dataDir,
    env,
    plan: {
      spreadTickets: 0,
      hotTables: 0,
      buyCapacity: 0,
      dropTables: 0,
      cacheTickets: 0,
      fanoutTables: 0,
      refundOrders: p.orders,
    },
  });
  await startServer({ databaseUrl: scratch.url, dataDir: p.dataDir, env, plan: null });
  const eventId = first.seeded.refundEventId!;
  // Cancelling voids every ticket and queues every refund in one transaction: minutes, not seconds.
  const http = new HttpClient(first.address, 2, 300_000);
  cleanups.push(() => http.close());
  const owner = { authorization: `Bearer ${first.seeded.ownerToken}` };

  fake.limitPerSecond = p.limitPerSecond;
  const requestsBefore = fake.requests.length;
  const preview = await http.getRaw(`/api/v1/events/${eventId}/cancellation`, owner);
  const token = (JSON.parse(preview.body.toString('utf8')) as { confirmation_token?: string }).confirmation_token;
  if (preview.status !== 200 || !token) throw new Error(`cancellation preview: HTTP ${preview.status}`);
  log(`mass refund: cancelling; ${p.orders} refunds at ${p.ratePerSecond}/s against a limit of ${p.limitPerSecond}/s`);
  const c0 = performance.now();
  const cancelled = await http.post(`/api/v1/events/${eventId}/cancel`, { confirmation_token: token }, owner);
  if (cancelled.status !== 202) throw new Error(`cancel: HTTP ${cancelled.status} ${JSON.stringify(cancelled.body)}`);
  const t0 = performance.now();
  const cancelSeconds = (t0 - c0) / 1000;
  let facts: RefundFacts;
  for (;;) {
    facts = await first.call<RefundFacts>({ type: 'refund-facts', eventId });
    if (facts.pending === 0 && facts.succeeded + facts.failed >= facts.orders) break;
    if (performance.now() - t0 > p.timeoutMs) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (performance.now() - t0) / 1000;

  const refundCalls = fake.requests
    .slice(requestsBefore)
    .map((r) => r.at)
    .sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < refundCalls.length; i++) {
    while (refundCalls[i]! - refundCalls[j]! >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  const duplicateKeys = [...fake.refundCreations.values()].filter((n) => n > 1).length;
  const figures: RefundFigures = {
    orders: facts.orders,
    processes: 2,
    limitPerSecond: p.limitPerSecond,
    ratePerSecond: p.ratePerSecond,
    seconds,
    cancelSeconds,
    succeeded: facts.succeeded,
    failed: facts.failed,
    created: fake.refunds.size,
    duplicateKeys,
    busiestSecond: busiest,
    rateLimited: fake.rateLimited,
  };
  const check = (name: string, ok: boolean, detail: string): Check => ({
    name: `postgres: mass refund: ${name}`,
    ok,
    detail,
  });
  return {
    figures,
    checks: [
      check(
        'every order refunded (none lost)',
        facts.succeeded === p.orders && facts.pending === 0 && facts.failed === 0,
        `${facts.succeeded} succeeded, ${facts.pending} pending, ${facts.failed} failed of ${p.orders}`,
      ),
      check('no order refunded twice (Velvet)', facts.refundedTwice === 0, `${facts.refundedTwice} (expected 0)`),
      check(
        'no refund paid twice (the provider)',
        duplicateKeys === 0 && fake.refunds.size === p.orders,
        `${fake.refunds.size} refunds created, ${duplicateKeys} keys more than once`,
      ),
    ],
  };
}

export function refundText(f: RefundFigures): string {
  return (
    `mass refund [postgres]: ${f.orders.toLocaleString('en-US')} paid orders, ${f.processes} processes, Stripe fake limited to ${f.limitPerSecond}/s, Velvet's budget ${f.ratePerSecond}/s: ` +
    `cancel answered in ${f.cancelSeconds.toFixed(1)} s, then all refunded in ${f.seconds.toFixed(1)} s (${f.succeeded.toLocaleString('en-US')} succeeded, ${f.failed} failed); the fake's busiest second ${f.busiestSecond} requests, ${f.rateLimited} answered 429`
  );
}
