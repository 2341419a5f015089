import { and, between, eq, inArray, ne, sql } from 'drizzle-orm';
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

/**
 * The entry (admitted or re-entry) of a ticket at another scanner nearest to `around`, within
 * `seconds` either side: all the re-entry warning needs. At most one row, however busy the code.
 */
export async function nearestEntryElsewhere(
  db: Executor,
  ticketId: string,
  scannerId: string,
  around: Date,
  seconds: number,
): Promise<EntryScan[]> {
  if (seconds <= 0) return [];
  const from = new Date(around.getTime() - seconds * 1000);
  const to = new Date(around.getTime() + seconds * 1000);
  return db
    .select({ scannerId: scans.scannerId, at: scans.scannedAt })
    .from(scans)
    .where(
      and(
        eq(scans.ticketId, ticketId),
        inArray(scans.result, ['admitted', 'reentry']),
        between(scans.scannedAt, from, to),
        ne(scans.scannerId, scannerId),
      ),
    )
    .orderBy(sql`abs(extract(epoch FROM ${scans.scannedAt} - ${around}::timestamptz))`)
    .limit(1);
}
