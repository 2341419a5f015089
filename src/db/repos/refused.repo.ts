import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { refusedPeople } from '../schema.js';

/** A refused person as the code knows them (`name_key` is the database's own, for matching). */
export type RefusedRow = Omit<typeof refusedPeople.$inferSelect, 'nameKey'>;

export interface RefusedEntry extends RefusedRow {
  addedByName: string;
  removedByName: string | null;
}

/** The list, people still refused first, newest first; with who added and removed each. */
export async function listRefused(db: Executor): Promise<RefusedEntry[]> {
  const rows = await queryRows<{
    id: string;
    name: string;
    email: string;
    reason: string;
    added_by: string;
    added_at: Date | string;
    removed_by: string | null;
    removed_at: Date | string | null;
    added_by_name: string;
    removed_by_name: string | null;
  }>(
    db,
    sql`SELECT rp.id, rp.name, rp.email, rp.reason, rp.added_by, rp.added_at, rp.removed_by, rp.removed_at,
               COALESCE(NULLIF(a.name, ''), a.email) AS added_by_name, COALESCE(NULLIF(r.name, ''), r.email) AS removed_by_name
          FROM refused_people rp
          JOIN users a ON a.id = rp.added_by
          LEFT JOIN users r ON r.id = rp.removed_by
         ORDER BY (rp.removed_at IS NULL) DESC, rp.added_at DESC, rp.id`,
  );
  const date = (v: Date | string) => new Date(v);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    reason: r.reason,
    addedBy: r.added_by,
    addedAt: date(r.added_at),
    removedBy: r.removed_by,
    removedAt: r.removed_at === null ? null : date(r.removed_at),
    addedByName: r.added_by_name,
    removedByName: r.removed_by_name,
  }));
}

export async function insertRefused(
  db: Executor,
  entry: { name: string; email: string; reason: string; addedBy: string },
): Promise<RefusedRow> {
  const [row] = await db.insert(refusedPeople).values(entry).returning();
  return row!;
}

/** Marks an entry removed (kept, with who and when); null when there is none still listed. */
export async function markRefusedRemoved(db: Executor, id: string, removedBy: string): Promise<RefusedRow | null> {
  const [row] = await db
    .update(refusedPeople)
    .set({ removedBy, removedAt: sql`now()` })
    .where(and(eq(refusedPeople.id, id), isNull(refusedPeople.removedAt)))
    .returning();
  return row ?? null;
}

export async function findRefused(db: Executor, id: string): Promise<RefusedRow | null> {
  const [row] = await db
    .select()
    .from(refusedPeople)
    .where(eq(refusedPeople.id, id))
    .orderBy(desc(refusedPeople.addedAt));
  return row ?? null;
}

/**
 * The tickets of nights still to come whose holder's name or buyer's e-mail is this entry's are
 * touched, so the doors' next `?since=` brings them refused (or admitted again after a removal).
 */
export async function touchTicketsOf(db: Executor, entry: Pick<RefusedRow, 'name' | 'email'>): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE tickets k SET updated_at = now()
          FROM orders o, events e
         WHERE o.id = k.order_id AND e.id = k.event_id AND e.status = 'scheduled'
           AND k.status IN ('valid', 'checked_in')
           AND ((${entry.name} <> '' AND velvet_name_key(k.holder_name) = velvet_name_key(${entry.name}))
             OR (${entry.email} <> '' AND COALESCE(k.holder_email, lower(o.email)) = ${entry.email}))
        RETURNING k.id`,
  );
  return rows.length;
}

/**
 * Why a ticket's holder is refused (the newest listing's reason), or null: by the holder's name
 * or e-mail (the buyer's, until the ticket is transferred to someone else's). SQL for the door's reads (door.repo.ts), on tickets `k`.
 */
export const REFUSED_REASON_OF_TICKET = `(SELECT rp.reason FROM refused_people rp
          WHERE rp.removed_at IS NULL
            AND ((rp.name_key <> '' AND rp.name_key = velvet_name_key(k.holder_name))
              OR (rp.email <> '' AND rp.email = COALESCE(k.holder_email, (SELECT lower(ko.email) FROM orders ko WHERE ko.id = k.order_id))))
          ORDER BY rp.added_at DESC LIMIT 1)`;

/** Whether an e-mail ($2 of the buying statements) is on the list. */
export const REFUSED_EMAIL = `EXISTS (SELECT 1 FROM refused_people rp WHERE rp.removed_at IS NULL AND rp.email <> '' AND rp.email = lower($2)) AS refused`;

/** Whether an e-mail is on the list (the buying statements check it with REFUSED_EMAIL). */
export async function isRefused(db: Executor, email: string): Promise<boolean> {
  const [row] = await queryRows<{ refused: boolean }>(
    db,
    sql`SELECT EXISTS (SELECT 1 FROM refused_people rp WHERE rp.removed_at IS NULL AND rp.email <> '' AND rp.email = lower(${email})) AS refused`,
  );
  return row!.refused;
}
