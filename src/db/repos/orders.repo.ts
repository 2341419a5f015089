import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { events, orders } from '../schema.js';

export type OrderRow = typeof orders.$inferSelect;

export async function findOrder(db: Executor, id: string, opts: { lock?: boolean } = {}): Promise<OrderRow | null> {
  const q = db.select().from(orders).where(eq(orders.id, id));
  const [row] = opts.lock ? await q.for('update') : await q;
  return row ?? null;
}

export async function findOrderByPaymentId(db: Executor, providerPaymentId: string, opts: { lock?: boolean } = {}) {
  const q = db.select().from(orders).where(eq(orders.providerPaymentId, providerPaymentId));
  const [row] = opts.lock ? await q.for('update') : await q;
  return row ?? null;
}

export async function updateOrder(
  db: Executor,
  id: string,
  patch: Partial<
    Pick<
      OrderRow,
      'status' | 'paidAt' | 'refundedCents' | 'refundReason' | 'providerPaymentId' | 'providerClientSecret'
    >
  >,
): Promise<OrderRow> {
  const [row] = await db
    .update(orders)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(orders.id, id))
    .returning();
  return row!;
}

/** Pending orders whose hold has lapsed, locked; rows another sweeper holds are skipped, not awaited. */
export async function claimExpiredHolds(db: Executor, now: Date, limit: number): Promise<OrderRow[]> {
  // The event row is claimed too (releasing a hold gives its GA places back there). Cancellation and
  // completion lock the event first, then its orders: skipping, never waiting on, a locked event
  // means the sweeper can never hold an order while queueing for its event, so no deadlock.
  const rows = await db
    .select({ order: orders })
    .from(orders)
    .innerJoin(events, eq(events.id, orders.eventId))
    .where(and(eq(orders.status, 'pending'), lte(orders.expiresAt, now)))
    .orderBy(orders.expiresAt)
    .limit(limit)
    .for('update', { of: [orders, events], skipLocked: true });
  return rows.map((r) => r.order);
}

export async function listEventOrders(
  db: Executor,
  eventId: string,
  statuses: OrderRow['status'][],
  opts: { lock?: boolean } = {},
): Promise<OrderRow[]> {
  const q = db
    .select()
    .from(orders)
    .where(and(eq(orders.eventId, eventId), inArray(orders.status, statuses)))
    .orderBy(orders.id);
  return opts.lock ? q.for('update') : q;
}

export async function findOrderByManageTokenHash(db: Executor, hash: string): Promise<OrderRow | null> {
  const [row] = await db.select().from(orders).where(eq(orders.manageTokenHash, hash));
  return row ?? null;
}

/** Live orders and their ticket counts: what a cancellation would release and refund. */
export async function eventSalesSummary(db: Executor, eventId: string) {
  return queryRows<{
    id: string;
    status: OrderRow['status'];
    amount_cents: number;
    refunded_cents: number;
    refunding: boolean;
    tickets: number;
  }>(
    db,
    sql`
    SELECT o.id, o.status, o.amount_cents, o.refunded_cents,
           EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id) AS refunding,
           (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id AND t.status <> 'void') AS tickets
      FROM orders o
     WHERE o.event_id = ${eventId} AND o.status IN ('pending', 'paid')
     ORDER BY o.id`,
  );
}
