import { findEvent } from '../../db/repos/events.repo.js';
import { listEventRefunds } from '../../db/repos/refunds.repo.js';
import { notFound } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';

export interface RefundsView {
  event_id: string;
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  refunded_cents: number;
  items: Array<{
    order_id: string;
    amount_cents: number;
    currency: string;
    reason: string;
    status: 'pending' | 'succeeded' | 'failed';
    attempts: number;
    next_attempt_at: string | null;
    provider_refund_id?: string;
    last_error?: string;
  }>;
}

/** `GET /events/:id/refunds`: the refund outbox of one event, for the owner to watch it drain. */
export async function listRefunds(deps: Pick<AppDeps, 'database'>, eventId: string): Promise<RefundsView> {
  const db = deps.database.db;
  if (!(await findEvent(db, eventId))) throw notFound('event');
  const rows = await listEventRefunds(db, eventId);
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  return {
    event_id: eventId,
    total: rows.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    pending: count('pending'),
    refunded_cents: rows.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amountCents, 0),
    items: rows.map((r) => ({
      order_id: r.orderId,
      amount_cents: r.amountCents,
      currency: r.currency,
      reason: r.reason,
      status: r.status,
      attempts: r.attempts,
      next_attempt_at: r.status === 'pending' ? r.nextAttemptAt.toISOString() : null,
      ...(r.providerRefundId ? { provider_refund_id: r.providerRefundId } : {}),
      ...(r.lastError ? { last_error: r.lastError } : {}),
    })),
  };
}
