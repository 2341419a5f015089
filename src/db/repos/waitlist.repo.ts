import { and, count, eq, lt, or, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { call, statement } from '../flights.js';
import { waitlistEntries } from '../schema.js';
import { MAILS_CHANNEL } from './mails.repo.js';

export type WaitlistEntryRow = typeof waitlistEntries.$inferSelect;

/** The next person in line ($1's oldest waiting entry, or nulls) and the event's free GA places, read after the event row's lock. */
const nextInLine = statement<{
  id: string | null;
  email: string | null;
  name: string | null;
  quantity: number | null;
  free: number;
  event_status: string;
  ends_at: Date | string;
  ga_price_cents: number;
  currency: string;
  min_age: number | null;
  locale: string | null;
}>(
  'waitlist_next_in_line',
  `SELECT w.id, w.email, w.name, w.quantity, w.locale, e.ga_capacity - e.ga_sold AS free, e.status AS event_status, e.ends_at, e.ga_price_cents, e.currency, e.min_age
     FROM events e
     LEFT JOIN LATERAL (SELECT * FROM waitlist_entries w WHERE w.event_id = e.id AND w.status = 'waiting' ORDER BY w.created_at, w.id LIMIT 1) w ON true
    WHERE e.id = $1`,
);
export const nextInLineCall = (eventId: string) => call(nextInLine, [eventId]);

/** The entry ($1) is offered the order ($2) made for it, only if that order was written (the hold took its places). */
const markOffered = statement<{ id: string }>(
  'waitlist_mark_offered',
  `UPDATE waitlist_entries SET status = 'offered', order_id = $2, offered_at = $3::timestamptz
    WHERE id = $1 AND status = 'waiting' AND EXISTS (SELECT 1 FROM orders WHERE id = $2) RETURNING id`,
);
export const markOfferedCall = (entryId: string, orderId: string, at: Date) =>
  call(markOffered, [entryId, orderId, at.toISOString()]);

/** The offer's mail ($2 recipient, $3 Message-ID), queued with the offer when its order ($1) was written. */
const enqueueOfferMail = statement<unknown>(
  'waitlist_offer_mail',
  `WITH m AS (
     INSERT INTO mails (order_id, kind, recipient, message_id)
     SELECT $1, 'waitlist_offer', $2, $3 WHERE EXISTS (SELECT 1 FROM orders WHERE id = $1)
     ON CONFLICT DO NOTHING RETURNING id)
   SELECT pg_notify('${MAILS_CHANNEL}', '') FROM m`,
);
export const enqueueOfferMailCall = (orderId: string, recipient: string) =>
  call(enqueueOfferMail, [orderId, recipient, `<waitlist_offer.${orderId}@velvet.mail>`]);

/** Joins (or finds) `email`'s place in the line; `created` false when they were already waiting. */
export async function joinLine(
  db: Executor,
  e: Pick<WaitlistEntryRow, 'eventId' | 'email' | 'name' | 'quantity' | 'locale'>,
): Promise<{ entry: WaitlistEntryRow; created: boolean }> {
  const [row] = await db.insert(waitlistEntries).values(e).onConflictDoNothing().returning();
  if (row) return { entry: row, created: true };
  const [existing] = await db
    .select()
    .from(waitlistEntries)
    .where(
      and(
        eq(waitlistEntries.eventId, e.eventId),
        eq(waitlistEntries.email, e.email),
        eq(waitlistEntries.status, 'waiting'),
      ),
    );
  return { entry: existing!, created: false };
}

/** How many wait ahead of this entry (1 = next). */
export async function positionInLine(
  db: Executor,
  entry: Pick<WaitlistEntryRow, 'eventId' | 'createdAt' | 'id'>,
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(waitlistEntries)
    .where(
      and(
        eq(waitlistEntries.eventId, entry.eventId),
        eq(waitlistEntries.status, 'waiting'),
        or(
          lt(waitlistEntries.createdAt, entry.createdAt),
          and(eq(waitlistEntries.createdAt, entry.createdAt), lt(waitlistEntries.id, entry.id)),
        ),
      ),
    );
  return (row?.n ?? 0) + 1;
}

/** The event's line and its offers, oldest first, with what became of each offer's order. */
export async function listLine(db: Executor, eventId: string) {
  return queryRows<{
    id: string;
    email: string;
    name: string;
    quantity: number;
    status: 'waiting' | 'offered';
    created_at: Date | string;
    offered_at: Date | string | null;
    order_id: string | null;
    order_status: 'pending' | 'paid' | 'expired' | 'refunded' | null;
    expires_at: Date | string | null;
  }>(
    db,
    sql`SELECT w.id, w.email, w.name, w.quantity, w.status, w.created_at, w.offered_at, w.order_id, o.status AS order_status, o.expires_at
          FROM waitlist_entries w LEFT JOIN orders o ON o.id = w.order_id
         WHERE w.event_id = ${eventId}
         ORDER BY w.created_at, w.id`,
  );
}

/** Events where someone waits and GA places are free: where an offer may be due. */
export async function eventsWithFreedPlaces(db: Executor, now: Date): Promise<string[]> {
  const rows = await queryRows<{ event_id: string }>(
    db,
    sql`SELECT DISTINCT w.event_id FROM waitlist_entries w JOIN events e ON e.id = w.event_id
         WHERE w.status = 'waiting' AND e.status = 'scheduled' AND e.ends_at > ${now.toISOString()}::timestamptz AND e.ga_sold < e.ga_capacity`,
  );
  return rows.map((r) => r.event_id);
}
