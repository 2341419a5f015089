import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../database.js';
import { tickets } from '../schema.js';

export type TicketRow = typeof tickets.$inferSelect;

export async function listOrderTickets(db: Executor, orderId: string, opts: { lock?: boolean } = {}) {
  const q = db
    .select()
    .from(tickets)
    .where(eq(tickets.orderId, orderId))
    .orderBy(asc(tickets.createdAt), asc(tickets.id));
  return opts.lock ? q.for('update') : q;
}

export async function findTicket(db: Executor, id: string, opts: { lock?: boolean } = {}): Promise<TicketRow | null> {
  const q = db.select().from(tickets).where(eq(tickets.id, id));
  const [row] = opts.lock ? await q.for('update') : await q;
  return row ?? null;
}

/**
 * Moves a ticket's `updated_at` (database time) without changing it: for changes to what decides
 * its entry that live in other rows (a guest link made or ended), so the scanner cache's `?since=`,
 * which compares database time only, sends the ticket again.
 */
export async function touchTicket(db: Executor, id: string): Promise<void> {
  await db
    .update(tickets)
    .set({ updatedAt: sql`now()` })
    .where(eq(tickets.id, id));
}

export async function setTicketsStatus(
  db: Executor,
  ids: string[],
  from: TicketRow['status'][],
  to: TicketRow['status'],
): Promise<TicketRow[]> {
  if (!ids.length) return [];
  return db
    .update(tickets)
    .set({ status: to, updatedAt: sql`now()` })
    .where(and(inArray(tickets.id, ids), inArray(tickets.status, from)))
    .returning();
}

export async function countCheckedIn(db: Executor, eventId: string): Promise<number> {
  const rows = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(tickets)
    .where(and(eq(tickets.eventId, eventId), eq(tickets.status, 'checked_in')));
  return Number(rows[0]?.n ?? 0);
}

/** Every ticket of the event that can still admit someone (or will once paid) becomes void. */
export async function voidEventTickets(db: Executor, eventId: string): Promise<number> {
  const rows = await db
    .update(tickets)
    .set({ status: 'void', updatedAt: sql`now()` })
    .where(and(eq(tickets.eventId, eventId), inArray(tickets.status, ['pending', 'valid'])))
    .returning({ id: tickets.id });
  return rows.length;
}

export async function setTicketHolderName(db: Executor, id: string, holderName: string): Promise<TicketRow> {
  const [row] = await db
    .update(tickets)
    .set({ holderName, updatedAt: sql`now()` })
    .where(eq(tickets.id, id))
    .returning();
  return row!;
}
