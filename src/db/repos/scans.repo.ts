import { and, between, desc, eq, inArray, sql } from 'drizzle-orm';
import type { EntryScan } from '../../domain/check-in.js';
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

/** Admitted or re-entry scans of a ticket within `seconds` either side of `around`. */
export async function entryScansAround(db: Executor, ticketId: string, around: Date, seconds: number): Promise<EntryScan[]> {
  if (seconds <= 0) return [];
  const from = new Date(around.getTime() - seconds * 1000);
  const to = new Date(around.getTime() + seconds * 1000);
  const rows = await db
    .select({ scannerId: scans.scannerId, at: scans.scannedAt })
    .from(scans)
    .where(and(eq(scans.ticketId, ticketId), inArray(scans.result, ['admitted', 'reentry']), between(scans.scannedAt, from, to)))
    .orderBy(desc(scans.scannedAt));
  return rows;
}
