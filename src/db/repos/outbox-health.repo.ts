import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';

export interface OutboxHealth {
  refundsPending: number;
  refundsFailed: number;
  /** Seconds the oldest pending refund has waited (null: none pending). */
  refundsOldestSeconds: number | null;
  mailsPending: number;
  mailsFailed: number;
  mailsOldestSeconds: number | null;
}

/** How the two outboxes stand, in one read (index-backed: both have a partial index on pending rows). */
export async function outboxHealth(db: Executor): Promise<OutboxHealth> {
  const [r] = await queryRows<{ rp: number; rf: number; ro: number | null; mp: number; mf: number; mo: number | null }>(
    db,
    sql`SELECT (SELECT count(*)::int FROM refunds WHERE status = 'pending') AS rp,
               (SELECT count(*)::int FROM refunds WHERE status = 'failed') AS rf,
               (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM refunds WHERE status = 'pending') AS ro,
               (SELECT count(*)::int FROM mails WHERE status = 'pending') AS mp,
               (SELECT count(*)::int FROM mails WHERE status = 'failed') AS mf,
               (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM mails WHERE status = 'pending') AS mo`,
  );
  return {
    refundsPending: r!.rp,
    refundsFailed: r!.rf,
    refundsOldestSeconds: r!.ro,
    mailsPending: r!.mp,
    mailsFailed: r!.mf,
    mailsOldestSeconds: r!.mo,
  };
}
