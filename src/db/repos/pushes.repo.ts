import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { call, statement } from '../flights.js';
import { pushes, pushSubscriptions } from '../schema.js';

/** Wakes push workers in every instance when an arrival is committed (they also poll). */
export const PUSHES_CHANNEL = 'velvet_pushes';

/** A host may use a few devices; a new one beyond this replaces the oldest. */
export const SUBSCRIPTIONS_PER_RESERVATION = 5;

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * Keeps `target` for the reservation (again: the same endpoint is the same device, its keys
 * refreshed) and drops the oldest beyond SUBSCRIPTIONS_PER_RESERVATION, in the caller's transaction.
 */
export async function saveSubscription(db: Executor, reservationId: string, target: PushTarget): Promise<void> {
  await db
    .insert(pushSubscriptions)
    .values({ reservationId, ...target })
    .onConflictDoUpdate({
      target: [pushSubscriptions.reservationId, pushSubscriptions.endpoint],
      set: { p256dh: target.p256dh, auth: target.auth },
    });
  await db.execute(sql`
    DELETE FROM push_subscriptions WHERE id IN (
      SELECT id FROM push_subscriptions WHERE reservation_id = ${reservationId}
       ORDER BY created_at DESC, id OFFSET ${SUBSCRIPTIONS_PER_RESERVATION})`);
}

export async function deleteSubscription(db: Executor, reservationId: string, endpoint: string): Promise<boolean> {
  const rows = await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.reservationId, reservationId), eq(pushSubscriptions.endpoint, endpoint)))
    .returning({ id: pushSubscriptions.id });
  return rows.length > 0;
}

export async function countSubscriptions(db: Executor, reservationId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM push_subscriptions WHERE reservation_id = ${reservationId}`,
  );
  return row?.n ?? 0;
}

/**
 * A linked guest's first admission: one push per subscription of the table, in the scan's last
 * flight (so it exists if and only if the admission committed), and a wake-up for the workers.
 * The unique (subscription, ticket) makes a second enqueue for the same arrival a no-op. With no
 * subscription it is one index lookup. $1 reservation, $2 ticket.
 */
const enqueueArrival = statement<{ notified: unknown }>(
  'push_enqueue_arrival',
  `WITH q AS (
     INSERT INTO pushes (subscription_id, reservation_id, ticket_id)
     SELECT s.id, s.reservation_id, $2 FROM push_subscriptions s WHERE s.reservation_id = $1
     ON CONFLICT (subscription_id, ticket_id) DO NOTHING RETURNING 1)
   SELECT pg_notify('${PUSHES_CHANNEL}', '') AS notified FROM (SELECT 1 FROM q LIMIT 1) x`,
);

export const enqueueArrivalPushCall = (reservationId: string, ticketId: string) =>
  call(enqueueArrival, [reservationId, ticketId]);

/** A claimed push with everything its message says, read as it is now. */
export interface ClaimedPush {
  id: string;
  leaseToken: string;
  attempts: number;
  subscriptionId: string;
  target: PushTarget;
  ticketId: string;
  guestName: string;
  /** This guest's place among the table's arrivals (by first entry), and the guests on the list. */
  arrivedNth: number;
  guestsLinked: number;
  tableNumber: number;
  eventName: string;
  orderId: string;
  /** The host's language: their order's, else the event's (src/i18n/locales.ts). */
  locale: string;
  /** Seconds since the arrival was queued, by the database's clock (the one that stamped it). */
  ageSeconds: number;
}

/** Takes up to `limit` due, unleased pushes (or ones whose worker's lease ran out) for this worker. */
export async function claimDuePushes(db: Executor, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedPush[]> {
  const rows = await queryRows<{
    id: string;
    lease_token: string;
    attempts: number;
    subscription_id: string;
    endpoint: string;
    p256dh: string;
    auth: string;
    ticket_id: string;
    guest_name: string;
    arrived_nth: number;
    guests_linked: number;
    table_number: number;
    event_name: string;
    order_id: string;
    locale: string;
    age_seconds: number;
  }>(
    db,
    sql`
    WITH due AS (
      SELECT id FROM pushes
       WHERE status = 'pending' AND next_attempt_at <= ${now.toISOString()}::timestamptz
         AND (lease_until IS NULL OR lease_until <= ${now.toISOString()}::timestamptz)
       ORDER BY next_attempt_at, id
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE pushes p
         SET lease_until = ${leaseUntil.toISOString()}::timestamptz, lease_token = gen_random_uuid(), attempts = p.attempts + 1, updated_at = now()
        FROM due
       WHERE p.id = due.id
      RETURNING p.id, p.lease_token, p.attempts, p.subscription_id, p.reservation_id, p.ticket_id, p.created_at
    )
    SELECT c.id, c.lease_token, c.attempts, c.subscription_id, s.endpoint, s.p256dh, s.auth, c.ticket_id, extract(epoch FROM now() - c.created_at)::float8 AS age_seconds,
           g.holder_name AS guest_name, et.number AS table_number, e.name AS event_name, r.order_id,
           COALESCE(o.locale, e.locale) AS locale,
           (SELECT count(*)::int FROM guest_links gl JOIN tickets t ON t.id = gl.ticket_id
             WHERE gl.reservation_id = c.reservation_id AND gl.unlinked_at IS NULL) AS guests_linked,
           (SELECT count(*)::int FROM guest_links gl JOIN tickets t ON t.id = gl.ticket_id
             WHERE gl.reservation_id = c.reservation_id AND gl.unlinked_at IS NULL AND t.checked_in_at IS NOT NULL
               AND (t.checked_in_at, t.id) <= (g.checked_in_at, g.id)) AS arrived_nth
      FROM claimed c
      JOIN push_subscriptions s ON s.id = c.subscription_id
      JOIN tickets g ON g.id = c.ticket_id
      JOIN reservations r ON r.id = c.reservation_id
      JOIN event_tables et ON et.id = r.event_table_id
      JOIN events e ON e.id = r.event_id
      JOIN orders o ON o.id = r.order_id`,
  );
  return rows.map((r) => ({
    id: r.id,
    leaseToken: r.lease_token,
    attempts: r.attempts,
    subscriptionId: r.subscription_id,
    target: { endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth },
    ticketId: r.ticket_id,
    guestName: r.guest_name,
    arrivedNth: r.arrived_nth,
    guestsLinked: r.guests_linked,
    tableNumber: r.table_number,
    eventName: r.event_name,
    orderId: r.order_id,
    locale: r.locale,
    ageSeconds: Number(r.age_seconds),
  }));
}

const claimedBy = (id: string, token: string) =>
  and(eq(pushes.id, id), eq(pushes.status, 'pending'), eq(pushes.leaseToken, token));

/** pending → sent, only by the claim's holder; false when the claim was lost meanwhile. */
export async function markPushSent(db: Executor, id: string, token: string, sentAt: Date): Promise<boolean> {
  const rows = await db
    .update(pushes)
    .set({ status: 'sent', sentAt, leaseUntil: null, leaseToken: null, lastError: null, updatedAt: sql`now()` })
    .where(claimedBy(id, token))
    .returning({ id: pushes.id });
  return rows.length === 1;
}

export async function schedulePushRetry(
  db: Executor,
  id: string,
  token: string,
  nextAttemptAt: Date,
  error: string,
): Promise<boolean> {
  const rows = await db
    .update(pushes)
    .set({ nextAttemptAt, leaseUntil: null, leaseToken: null, lastError: error, updatedAt: sql`now()` })
    .where(claimedBy(id, token))
    .returning({ id: pushes.id });
  return rows.length === 1;
}

export async function markPushFailed(db: Executor, id: string, token: string, error: string): Promise<boolean> {
  const rows = await db
    .update(pushes)
    .set({ status: 'failed', leaseUntil: null, leaseToken: null, lastError: error, updatedAt: sql`now()` })
    .where(claimedBy(id, token))
    .returning({ id: pushes.id });
  return rows.length === 1;
}

/** The push service says the subscription is gone (404/410): it and what it had pending go. */
export async function dropSubscription(db: Executor, subscriptionId: string): Promise<void> {
  await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, subscriptionId));
}
