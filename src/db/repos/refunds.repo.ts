import { and, asc, eq, sql } from 'drizzle-orm';
import type { OrderStatus } from '../../domain/state-machine.js';
import { queryRows, type Executor } from '../database.js';
import { refunds } from '../schema.js';

export type RefundRow = typeof refunds.$inferSelect;

/** Wakes refund workers in every instance when new refunds are committed (they also poll). */
export const REFUNDS_CHANNEL = 'velvet_refunds';

/**
 * Writes the outbox row for an order's refund. One refund per order (unique index): a second write
 * for the same order is a no-op and returns null, so retries and repeated cancellations never add
 * a second refund.
 */
export async function insertRefund(db: Executor, r: typeof refunds.$inferInsert): Promise<RefundRow | null> {
  const [row] = await db.insert(refunds).values(r).onConflictDoNothing({ target: refunds.orderId }).returning();
  return row ?? null;
}

/**
 * A cancellation's refunds: every paid order of the event paid back in full, as set-based
 * statements (a night of 10,000 orders is two statements, not 20,000). Each order gets its outbox
 * row (never a second: the same unique index as insertRefund) and the reason on the order; an order
 * with nothing left to pay back (free) is settled at once instead.
 */
export async function refundEventOrdersInFull(
  db: Executor,
  eventId: string,
  owed: Array<{ orderId: string; amountCents: number; currency: string; idempotencyKey: string }>,
  settled: { orderIds: string[]; status: OrderStatus },
  now: Date,
): Promise<void> {
  if (owed.length) {
    await db.execute(sql`
      INSERT INTO refunds (event_id, order_id, amount_cents, currency, reason, idempotency_key, next_attempt_at)
      SELECT ${eventId}, o.order_id, o.amount_cents, o.currency, 'event_cancelled', o.idempotency_key, ${now.toISOString()}
        FROM unnest(${sql.param(owed.map((o) => o.orderId))}::uuid[], ${sql.param(owed.map((o) => o.amountCents))}::int[],
                    ${sql.param(owed.map((o) => o.currency))}::text[], ${sql.param(owed.map((o) => o.idempotencyKey))}::text[])
             AS o(order_id, amount_cents, currency, idempotency_key)
      ON CONFLICT (order_id) DO NOTHING`);
    await db.execute(sql`
      UPDATE orders SET refund_reason = 'event_cancelled', updated_at = now()
       WHERE id = ANY(${sql.param(owed.map((o) => o.orderId))}::uuid[])`);
  }
  if (settled.orderIds.length) {
    await db.execute(sql`
      UPDATE orders SET refund_reason = 'event_cancelled', status = ${settled.status}, updated_at = now()
       WHERE id = ANY(${sql.param(settled.orderIds)}::uuid[])`);
  }
}

export async function notifyRefundsDue(db: Executor): Promise<void> {
  await db.execute(sql`SELECT pg_notify(${REFUNDS_CHANNEL}, '')`);
}

export async function listEventRefunds(db: Executor, eventId: string): Promise<RefundRow[]> {
  return db
    .select()
    .from(refunds)
    .where(eq(refunds.eventId, eventId))
    .orderBy(asc(refunds.createdAt), asc(refunds.orderId));
}

export async function findRefundByOrder(db: Executor, orderId: string): Promise<RefundRow | null> {
  const [row] = await db.select().from(refunds).where(eq(refunds.orderId, orderId));
  return row ?? null;
}

/** A claimed refund together with what the provider needs to pay it back. */
export interface ClaimedRefund extends RefundRow {
  providerPaymentId: string | null;
}

interface ClaimedRow {
  id: string;
  order_id: string;
  event_id: string;
  amount_cents: number;
  currency: string;
  reason: RefundRow['reason'];
  idempotency_key: string;
  status: RefundRow['status'];
  attempts: number;
  next_attempt_at: Date | string;
  lease_until: Date | string | null;
  lease_token: string | null;
  provider_refund_id: string | null;
  last_error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  provider_payment_id: string | null;
}

/**
 * Takes up to `limit` due refunds for this worker: pending, due, and not leased (or leased by a
 * worker whose lease ran out, e.g. a killed process). Rows another worker is claiming right now
 * are skipped, not awaited. The lease and the attempt count are committed by the caller's
 * transaction before any provider call, so a crash after this point leaves a lease that expires.
 */
export async function claimDueRefunds(
  db: Executor,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<ClaimedRefund[]> {
  const rows = await queryRows<ClaimedRow>(
    db,
    sql`
    WITH due AS (
      SELECT id FROM refunds
       WHERE status = 'pending' AND next_attempt_at <= ${now.toISOString()}::timestamptz
         AND (lease_until IS NULL OR lease_until <= ${now.toISOString()}::timestamptz)
       ORDER BY next_attempt_at, id
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED
    )
    UPDATE refunds r
       SET lease_until = ${leaseUntil.toISOString()}::timestamptz, lease_token = gen_random_uuid(), attempts = r.attempts + 1, updated_at = now()
      FROM due, orders o
     WHERE r.id = due.id AND o.id = r.order_id
    RETURNING r.*, o.provider_payment_id`,
  );
  return rows.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    eventId: r.event_id,
    amountCents: r.amount_cents,
    currency: r.currency,
    reason: r.reason,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: new Date(r.next_attempt_at),
    leaseUntil: r.lease_until === null ? null : new Date(r.lease_until),
    leaseToken: r.lease_token,
    providerRefundId: r.provider_refund_id,
    lastError: r.last_error,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    providerPaymentId: r.provider_payment_id,
  }));
}

/**
 * Only the worker holding the claim (`token`, from `claimDueRefunds`) may record a refund's result:
 * a worker that waited past its lease, while another took the refund over, changes nothing.
 */
const claimedBy = (id: string, token: string) =>
  and(eq(refunds.id, id), eq(refunds.status, 'pending'), eq(refunds.leaseToken, token));

/** pending → succeeded, once: returns null when the claim is no longer ours (or it was settled). */
export async function markRefundSucceeded(
  db: Executor,
  id: string,
  token: string,
  providerRefundId: string,
): Promise<RefundRow | null> {
  const [row] = await db
    .update(refunds)
    .set({
      status: 'succeeded',
      providerRefundId,
      leaseUntil: null,
      leaseToken: null,
      lastError: null,
      updatedAt: sql`now()`,
    })
    .where(claimedBy(id, token))
    .returning();
  return row ?? null;
}

export async function markRefundFailed(
  db: Executor,
  id: string,
  token: string,
  error: string,
): Promise<RefundRow | null> {
  const [row] = await db
    .update(refunds)
    .set({ status: 'failed', leaseUntil: null, leaseToken: null, lastError: error, updatedAt: sql`now()` })
    .where(claimedBy(id, token))
    .returning();
  return row ?? null;
}

/** Gives the refund back to the queue, due again at `nextAttemptAt`; false when the claim was lost. */
export async function scheduleRefundRetry(
  db: Executor,
  id: string,
  token: string,
  nextAttemptAt: Date,
  error: string,
): Promise<boolean> {
  const rows = await db
    .update(refunds)
    .set({ nextAttemptAt, leaseUntil: null, leaseToken: null, lastError: error, updatedAt: sql`now()` })
    .where(claimedBy(id, token))
    .returning({ id: refunds.id });
  return rows.length === 1;
}

/** Hands a claim back unused (no provider call was made): any worker may take it at once. */
export async function releaseRefundClaim(db: Executor, id: string, token: string): Promise<void> {
  await db
    .update(refunds)
    .set({ leaseUntil: null, leaseToken: null, updatedAt: sql`now()` })
    .where(claimedBy(id, token));
}

/**
 * failed → pending for an event's refunds (the owner pressed retry): due now, with a fresh count
 * of attempts. Only failed rows move; a refund already paid or still in flight is untouched.
 * The idempotency key gets a new round suffix (`-retry-N`): the provider keeps a key's failed
 * answer and would replay it forever. Paying twice stays impossible: a failed refund was never
 * made (the worker asked the provider before giving up on a 5xx), and a charge already refunded
 * answers `charge_already_refunded`, which the provider adapter records as success.
 */
export async function requeueFailedRefunds(db: Executor, eventId: string, now: Date): Promise<number> {
  const rows = await db
    .update(refunds)
    .set({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      leaseToken: null,
      idempotencyKey: sql`regexp_replace(${refunds.idempotencyKey}, '-retry-[0-9]+$', '') || '-retry-' || (coalesce(substring(${refunds.idempotencyKey} from '-retry-([0-9]+)$')::int, 0) + 1)`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(refunds.eventId, eventId), eq(refunds.status, 'failed')))
    .returning({ id: refunds.id });
  return rows.length;
}
