import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../database.js';
import { scans } from '../schema.js';

export type ScanRow = typeof scans.$inferSelect;

/**
 * Appends one scan attempt. With a nonce already used by this scanner nothing is written and null
 * comes back: the caller answers the first attempt's stored response instead. Under a concurrent
 * duplicate the unique index makes the second insert wait for the first and then skip.
 */
export async function insertScan(db: Executor, row: typeof scans.$inferInsert): Promise<ScanRow | null> {
  const [inserted] = await db
    .insert(scans)
    .values(row)
    .onConflictDoNothing({ target: [scans.scannerId, scans.nonce], where: sql`nonce IS NOT NULL` })
    .returning();
  return inserted ?? null;
}

export async function findScanByNonce(db: Executor, scannerId: string, nonce: string): Promise<ScanRow | null> {
  const [row] = await db
    .select()
    .from(scans)
    .where(and(eq(scans.scannerId, scannerId), eq(scans.nonce, nonce)));
  return row ?? null;
}

/** The admitted scan that made `ticketId`'s first entry at `at` (the one a late, earlier scan displaces). */
export async function findFirstEntryScan(db: Executor, ticketId: string, at: Date): Promise<ScanRow | null> {
  const [row] = await db
    .select()
    .from(scans)
    .where(and(eq(scans.ticketId, ticketId), eq(scans.result, 'admitted'), eq(scans.scannedAt, at)))
    .orderBy(scans.id)
    .limit(1);
  return row ?? null;
}
