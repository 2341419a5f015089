import { enqueueMail } from '../../db/repos/mails.repo.js';
import { voidedTransfersOfOrder } from '../../db/repos/transfers.repo.js';
import { findOrder, updateOrder } from '../../db/repos/orders.repo.js';
import {
  claimDueRefunds,
  markRefundFailed,
  markRefundSucceeded,
  releaseRefundClaim,
  scheduleRefundRetry,
  type ClaimedRefund,
} from '../../db/repos/refunds.repo.js';
import { retryDelayMs } from '../../domain/backoff.js';
import { orderMachine, step } from '../../domain/state-machine.js';
import { PaymentProviderError, type RefundResult } from '../../payments/provider.js';
import type { AppDeps } from '../deps.js';
import { enqueueOrderMail } from '../mail/enqueue.js';
import type { RateLimiter } from '../jobs/rate-budget.js';

export interface RefundBatchOptions {
  /** Spaces provider calls (Stripe's test mode allows 25 requests/s). */
  limiter: RateLimiter;
  /** How many refunds one claim takes; they are paid concurrently, paced by `limiter`. */
  batchSize?: number;
  /** How long a claim is ours; must outlast a provider call (timeout) plus the limiter's wait. */
  leaseMs?: number;
  /** After this many attempts a refund that keeps failing is marked failed for a person to look at. */
  maxAttempts?: number;
  random?: () => number;
  log?: (msg: string) => void;
}

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_MAX_ATTEMPTS = 25;

type CallResult =
  { ok: true; result: RefundResult } | { ok: false; error: PaymentProviderError } | { ok: 'lease_lost' };

/** A provider call may take this long (the SDK timeout); a claim with less lease left is handed back. */
export const PROVIDER_CALL_MS = 20_000;

/**
 * One pass of the refund outbox (algorithm in refunds.md):
 *  1. claim: one short transaction takes up to `batchSize` due refunds with FOR UPDATE SKIP LOCKED
 *     and commits a lease on them (a fresh lease token, attempts + 1). No lock is held after this.
 *  2. pay: outside any transaction, each claimed refund is sent to the provider with its fixed
 *     idempotency key, paced by the rate limiter. A claim whose lease would run out during the
 *     call (the limiter kept it waiting) is handed back instead: another worker may own it soon.
 *  3. record: one transaction per refund locks its order, then, only while the claim is still
 *     ours (lease token), moves the refund pending→succeeded and the order to refunded; or
 *     schedules a retry with backoff, or marks it failed. Before a provider-side failure (5xx,
 *     timeout) is retried or given up on, the provider is asked whether the refund exists after
 *     all: Stripe replays a stored 500 for a key even when the refund was made.
 * A crash between 1 and 3 leaves the lease to expire; the next claim asks the provider again with
 * the same key, which answers with the refund it already made. Returns how many were claimed.
 */
export async function processDueRefunds(
  deps: Pick<AppDeps, 'database' | 'clock' | 'payments'>,
  opts: RefundBatchOptions,
): Promise<number> {
  const now = deps.clock.now();
  const leaseUntil = new Date(now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS));
  const claimed = await deps.database.transaction((tx) => claimDueRefunds(tx, now, leaseUntil, opts.batchSize ?? 10));
  await Promise.all(
    claimed.map(async (refund) => {
      const call = await pay(deps, opts, refund);
      await record(deps, opts, refund, call);
    }),
  );
  return claimed.length;
}

async function pay(
  deps: Pick<AppDeps, 'payments' | 'clock'>,
  opts: RefundBatchOptions,
  refund: ClaimedRefund,
): Promise<CallResult> {
  if (!refund.providerPaymentId) {
    return { ok: false, error: new PaymentProviderError('the order has no provider payment to refund', false) };
  }
  await opts.limiter.take();
  const callMs = Math.min(PROVIDER_CALL_MS, (opts.leaseMs ?? DEFAULT_LEASE_MS) / 2);
  if (deps.clock.now().getTime() + callMs > refund.leaseUntil!.getTime()) return { ok: 'lease_lost' };
  const req = {
    providerPaymentId: refund.providerPaymentId,
    amountCents: refund.amountCents,
    idempotencyKey: refund.idempotencyKey,
  };
  try {
    return { ok: true, result: await deps.payments.refund(req) };
  } catch (err) {
    const error =
      err instanceof PaymentProviderError
        ? err
        : new PaymentProviderError((err as Error)?.message ?? String(err), true);
    // The provider failed on its side, or never answered: the refund may exist all the same.
    if (error.retryable && error.status !== 429) {
      await opts.limiter.take();
      const found = await deps.payments.findRefund(req).catch(() => null);
      if (found) return { ok: true, result: found };
    }
    return { ok: false, error };
  }
}

async function record(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  opts: RefundBatchOptions,
  refund: ClaimedRefund,
  call: CallResult,
): Promise<void> {
  const log = opts.log ?? (() => {});
  const token = refund.leaseToken!;
  await deps.database.transaction(async (tx) => {
    if (call.ok === 'lease_lost') {
      await releaseRefundClaim(tx, refund.id, token);
      log(`refund ${refund.id}: its lease would run out during the call; handed back`);
      return;
    }
    // Lock order: the order first (as payments and cancellation do), then the refund row.
    const order = await findOrder(tx, refund.orderId, { lock: true });
    if (call.ok) {
      const settled = await markRefundSucceeded(tx, refund.id, token, call.result.providerRefundId);
      if (!settled) return lost(log, refund); // another worker holds it now; it will record the same refund
      if (!order) return;
      const next = step(orderMachine, order.status, 'refund');
      await updateOrder(tx, order.id, {
        refundedCents: Math.min(order.amountCents, order.refundedCents + refund.amountCents),
        refundReason: refund.reason,
        ...(next.ok ? { status: next.to } : {}),
      });
      await enqueueOrderMail(tx, order, 'order_refunded');
      // Tickets the buyer sent on: their holders hear it too (the money went back to the buyer).
      for (const t of await voidedTransfersOfOrder(tx, order.id)) {
        await enqueueMail(tx, {
          orderId: order.id,
          kind: 'ticket_voided',
          recipient: t.toEmail,
          messageId: `<ticket_voided.${t.id}@velvet.mail>`,
          transferId: t.id,
        });
      }
      if (call.result.alreadyRefunded)
        log(`refund ${refund.id}: the payment was already refunded (${call.result.providerRefundId})`);
      return;
    }
    const { error } = call;
    const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (error.retryable && refund.attempts < maxAttempts) {
      const delay = retryDelayMs(refund.attempts, (opts.random ?? Math.random)());
      if (
        !(await scheduleRefundRetry(tx, refund.id, token, new Date(deps.clock.now().getTime() + delay), error.message))
      )
        return lost(log, refund);
      log(`refund ${refund.id}: attempt ${refund.attempts} failed, retrying in ${delay} ms: ${error.message}`);
      return;
    }
    const why = error.retryable ? `gave up after ${refund.attempts} attempts: ${error.message}` : error.message;
    if (!(await markRefundFailed(tx, refund.id, token, why))) return lost(log, refund);
    log(`refund ${refund.id}: failed: ${why}`);
  });
}

const lost = (log: (msg: string) => void, refund: ClaimedRefund) =>
  log(`refund ${refund.id}: this worker's claim ran out and another took it over; its result is left to that worker`);
