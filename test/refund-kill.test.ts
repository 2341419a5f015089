import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { queryRows, type Database } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { insertUser } from '../src/db/repos/users.repo.js';
import { createDeps } from '../src/runtime.js';
import type { AppDeps } from '../src/services/deps.js';
import { createEvent as createEventService } from '../src/services/events/create-event.service.js';
import { cancelEvent } from '../src/services/events/cancel-event.service.js';
import { previewCancellation } from '../src/services/events/cancellation-preview.service.js';
import { placeOrder } from '../src/services/orders/place-order.service.js';
import { handleStripeEvent } from '../src/services/payments/stripe-webhook.service.js';
import { onPostgres, withDatabase } from './support/database.js';
import { FakeStripe, stripeEnv } from './support/fake-stripe.js';

/**
 * Crash safety of the refund outbox, for real: `velvet serve` runs as a child process against
 * PostgreSQL and the fake Stripe, and is SIGKILLed twice in the middle of paying 500 refunds, each
 * time at the worst moment (Stripe has just made a refund, its answer is still on the wire). A
 * third process finishes the job. Every refund must end succeeded, and Stripe must have made
 * exactly one refund per idempotency key.
 */
const REFUNDS = 500;
const KILL_AT = [120, 300];

let fake: FakeStripe;
let database: Database;
let deps: AppDeps;
let dbName: string;
let env: Record<string, string>;
const logs: string[] = [];

async function admin(query: string) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

describe.skipIf(!onPostgres)(
  'refund outbox survives SIGKILL (child process, real PostgreSQL; skipped without DATABASE_URL)',
  () => {
    beforeAll(async () => {
      fake = await FakeStripe.start();
      dbName = `velvet_kill_${randomBytes(5).toString('hex')}`;
      await admin(`CREATE DATABASE ${dbName}`);
      const url = withDatabase(process.env.DATABASE_URL!, dbName);
      env = {
        ...stripeEnv(fake),
        DATABASE_URL: url,
        PORT: '0',
        VELVET_PUBLIC_URL: 'http://velvet.test',
        VELVET_REFUND_RATE_PER_SECOND: '200',
        VELVET_REFUND_LEASE_SECONDS: '2',
        VELVET_SWEEP_INTERVAL_MS: '200',
        LOG_LEVEL: 'warn',
      };
      database = await openPostgres(url, { max: 30 });
      deps = await createDeps(loadConfig(env), { database });
    }, 120_000);

    afterAll(async () => {
      await database?.close();
      await fake?.close();
      if (dbName) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    });

    it(`finishes all ${REFUNDS} refunds exactly once across two kill -9s`, async () => {
      // 500 paid orders (Stripe PaymentIntents paid through the webhook service), then the cancellation.
      const owner = (await insertUser(database.db, { email: 'owner@kill.test', passwordHash: 'x', role: 'owner' }))!;
      const event = await createEventService(deps, owner.id, {
        name: 'Doomed Night',
        startsAt: new Date(Date.now() + 7 * 86400_000),
        endsAt: new Date(Date.now() + 7 * 86400_000 + 6 * 3600_000),
        currency: 'EUR',
        ga: { priceCents: 1500, capacity: 5000 },
        tiers: [],
        tables: [],
      });
      for (let i = 0; i < REFUNDS; i += 25) {
        await Promise.all(
          Array.from({ length: Math.min(25, REFUNDS - i) }, async (_, j) => {
            const { order } = await placeOrder(deps, {
              eventId: event.id,
              email: `b${i + j}@example.com`,
              name: `Buyer ${i + j}`,
              gaQuantity: 1 + ((i + j) % 4),
            });
            const outcome = await handleStripeEvent(deps, fake.succeed(order.providerPaymentId!));
            expect(outcome.outcome).toBe('paid');
          }),
        );
      }
      const preview = await previewCancellation(deps, event.id);
      expect(preview.orders).toBe(REFUNDS);
      const cancelled = await cancelEvent(deps, event.id, preview.confirmation_token);
      expect(cancelled.refunds).toMatchObject({ total: REFUNDS, pending: REFUNDS });

      // Every refund answer comes back a little late, so a kill always finds some "done at Stripe,
      // not yet recorded here".
      fake.inject({ match: 'POST /v1/refunds', delayMs: 25, after: true, times: Infinity });
      const succeeded = async () =>
        (
          await queryRows<{ n: number }>(
            database.db,
            sql`SELECT count(*)::int AS n FROM refunds WHERE status = 'succeeded'`,
          )
        )[0]!.n;

      for (const killAt of KILL_AT) {
        const child = startVelvet();
        const killed = new Promise<void>((resolve) => {
          fake.onRefundCreated = (_refund, made) => {
            if (made < killAt) return;
            fake.onRefundCreated = undefined;
            child.kill('SIGKILL');
            resolve();
          };
        });
        await killed;
        const exit = await exited(child);
        expect(exit.signal).toBe('SIGKILL');
        const recorded = await succeeded();
        // Killed mid-run, with refunds Stripe made that the database does not know about yet.
        expect(recorded).toBeGreaterThan(0);
        expect(recorded).toBeLessThan(fake.refunds.size);
        expect(fake.refunds.size).toBeLessThan(REFUNDS);
        console.info(`killed at ${fake.refunds.size} Stripe refunds, ${recorded} recorded`);
      }

      const last = startVelvet();
      try {
        const deadline = Date.now() + 90_000;
        while ((await succeeded()) < REFUNDS) {
          if (Date.now() > deadline || last.exitCode !== null)
            throw new Error(`refunds did not finish:\n${logs.join('')}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        last.kill('SIGTERM');
        await exited(last);
      }

      // Stripe: one refund per key, one per payment, nothing more.
      expect(fake.refunds.size).toBe(REFUNDS);
      expect(fake.refundCreations.size).toBe(REFUNDS);
      expect([...fake.refundCreations.values()].every((n) => n === 1)).toBe(true);
      const replays = fake.requests.filter((r) => r.path === '/v1/refunds' && r.replayed).length;
      expect(replays).toBeGreaterThan(0);
      console.info(`${replays} refund calls were answered by idempotent replay`);

      // Velvet: every refund succeeded with Stripe's id, every order refunded in full.
      const rows = await queryRows<{
        status: string;
        provider_refund_id: string;
        provider_payment_id: string;
        amount_cents: number;
        order_status: string;
        refunded_cents: number;
      }>(
        database.db,
        sql`SELECT r.status, r.provider_refund_id, o.provider_payment_id, r.amount_cents, o.status AS order_status, o.refunded_cents
            FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.event_id = ${event.id}`,
      );
      expect(rows).toHaveLength(REFUNDS);
      for (const row of rows) {
        const made = fake.refundsFor(row.provider_payment_id);
        expect(made).toHaveLength(1);
        expect(row).toMatchObject({
          status: 'succeeded',
          provider_refund_id: made[0]!.id,
          order_status: 'refunded',
          refunded_cents: row.amount_cents,
        });
        expect(made[0]!.amount).toBe(row.amount_cents);
      }
    }, 240_000);
  },
);

function startVelvet(): ChildProcess {
  const child = spawn(process.execPath, ['bin/velvet.js', 'serve'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
