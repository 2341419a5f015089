import { eq, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { googleWalletObjects } from '../schema.js';

/** A Google Wallet object a save link was issued for (again: its content as it was then). */
export async function recordGoogleObject(
  db: Executor,
  o: { objectId: string; ticketId: string; generation: number; fingerprint: string },
): Promise<void> {
  await db.insert(googleWalletObjects).values(o).onConflictDoNothing();
}

/** Google objects whose ticket or event changed since last looked at, claimed as registrations are. */
export async function claimGoogleObjectsToCheck(
  db: Executor,
  limit: number,
): Promise<Array<{ objectId: string; ticketId: string; generation: number; fingerprint: string }>> {
  const rows = await queryRows<{ object_id: string; ticket_id: string; generation: number; fingerprint: string }>(
    db,
    sql`WITH due AS (
          SELECT g.object_id FROM google_wallet_objects g
            JOIN tickets t ON t.id = g.ticket_id JOIN events e ON e.id = t.event_id
           WHERE greatest(t.updated_at, e.updated_at) > g.checked_at
           ORDER BY g.checked_at LIMIT ${limit}
           FOR UPDATE OF g SKIP LOCKED)
        UPDATE google_wallet_objects g SET checked_at = now() FROM due WHERE g.object_id = due.object_id
        RETURNING g.object_id, g.ticket_id, g.generation, g.fingerprint`,
  );
  return rows.map((r) => ({
    objectId: r.object_id,
    ticketId: r.ticket_id,
    generation: r.generation,
    fingerprint: r.fingerprint,
  }));
}

export async function setGoogleObjectFingerprint(db: Executor, objectId: string, fingerprint: string): Promise<void> {
  await db.update(googleWalletObjects).set({ fingerprint }).where(eq(googleWalletObjects.objectId, objectId));
}
