import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { mails } from '../schema.js';

export type MailRow = typeof mails.$inferSelect;
export type MailKind = MailRow['kind'];

/** Wakes mail workers in every instance when a mail is committed (they also poll). */
export const MAILS_CHANNEL = 'velvet_mails';

/**
 * Puts a mail in the outbox, in the caller's transaction: it exists if and only if what it
 * announces was committed. One mail per order and kind (per transfer for `ticket_transferred`);
 * a second enqueue is a no-op.
 */
export async function enqueueMail(
  db: Executor,
  m: { orderId: string; kind: MailKind; recipient: string; messageId: string; transferId?: string },
): Promise<void> {
  const rows = await db.insert(mails).values(m).onConflictDoNothing().returning({ id: mails.id });
  if (rows.length) await db.execute(sql`SELECT pg_notify(${MAILS_CHANNEL}, '')`);
}

export async function listOrderMails(db: Executor, orderId: string): Promise<MailRow[]> {
  return db.select().from(mails).where(eq(mails.orderId, orderId)).orderBy(mails.createdAt);
}

export interface ClaimedMail {
  id: string;
  orderId: string;
  kind: MailKind;
  recipient: string;
  messageId: string;
  /** The transfer a `ticket_transferred` mail announces. */
  transferId: string | null;
  attempts: number;
  leaseToken: string;
  leaseUntil: Date;
}

/** Takes up to `limit` due, unleased mails (or ones whose worker's lease ran out) for this worker. */
export async function claimDueMails(db: Executor, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedMail[]> {
  const rows = await queryRows<{
    id: string;
    order_id: string;
    kind: MailKind;
    recipient: string;
    message_id: string;
    transfer_id: string | null;
    attempts: number;
    lease_token: string;
  }>(
    db,
    sql`
    WITH due AS (
      SELECT id FROM mails
       WHERE status = 'pending' AND next_attempt_at <= ${now.toISOString()}::timestamptz
         AND (lease_until IS NULL OR lease_until <= ${now.toISOString()}::timestamptz)
       ORDER BY next_attempt_at, id
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED
    )
    UPDATE mails m
       SET lease_until = ${leaseUntil.toISOString()}::timestamptz, lease_token = gen_random_uuid(), attempts = m.attempts + 1, updated_at = now()
      FROM due
     WHERE m.id = due.id
    RETURNING m.id, m.order_id, m.kind, m.recipient, m.message_id, m.transfer_id, m.attempts, m.lease_token`,
  );
  return rows.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    kind: r.kind,
    recipient: r.recipient,
    messageId: r.message_id,
    transferId: r.transfer_id,
    attempts: r.attempts,
    leaseToken: r.lease_token,
    leaseUntil,
  }));
}

const claimedBy = (id: string, token: string) =>
  and(eq(mails.id, id), eq(mails.status, 'pending'), eq(mails.leaseToken, token));

/** pending → sent, only by the claim's holder; false when the claim was lost meanwhile. */
export async function markMailSent(db: Executor, id: string, token: string, sentAt: Date): Promise<boolean> {
  const rows = await db
    .update(mails)
    .set({ status: 'sent', sentAt, leaseUntil: null, leaseToken: null, lastError: null, updatedAt: sql`now()` })
    .where(claimedBy(id, token))
    .returning({ id: mails.id });
  return rows.length === 1;
}

export async function scheduleMailRetry(
  db: Executor,
  id: string,
  token: string,
  nextAttemptAt: Date,
  error: string,
): Promise<boolean> {
  const rows = await db
    .update(mails)
    .set({ nextAttemptAt, leaseUntil: null, leaseToken: null, lastError: error, updatedAt: sql`now()` })
    .where(claimedBy(id, token))
    .returning({ id: mails.id });
  return rows.length === 1;
}

export async function markMailFailed(db: Executor, id: string, token: string, error: string): Promise<boolean> {
  const rows = await db
    .update(mails)
    .set({ status: 'failed', leaseUntil: null, leaseToken: null, lastError: error, updatedAt: sql`now()` })
    .where(claimedBy(id, token))
    .returning({ id: mails.id });
  return rows.length === 1;
}
