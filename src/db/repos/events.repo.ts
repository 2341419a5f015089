import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Executor } from '../database.js';
import { events, eventTables, tiers } from '../schema.js';

export type EventRow = typeof events.$inferSelect;
export type TierRow = typeof tiers.$inferSelect;
export type EventTableRow = typeof eventTables.$inferSelect;

export async function insertEvent(db: Executor, e: typeof events.$inferInsert): Promise<EventRow> {
  const [row] = await db.insert(events).values(e).returning();
  return row!;
}

export async function insertTiers(db: Executor, rows: Array<typeof tiers.$inferInsert>): Promise<TierRow[]> {
  return rows.length ? db.insert(tiers).values(rows).returning() : [];
}

export async function insertTables(
  db: Executor,
  rows: Array<typeof eventTables.$inferInsert>,
): Promise<EventTableRow[]> {
  return rows.length ? db.insert(eventTables).values(rows).returning() : [];
}

export async function findEvent(db: Executor, id: string, opts: { lock?: boolean } = {}): Promise<EventRow | null> {
  const q = db.select().from(events).where(eq(events.id, id));
  const [row] = opts.lock ? await q.for('update') : await q;
  return row ?? null;
}

/** Every event by start time, or, with `openAfter`, only scheduled ones ending after it. */
export async function listEventRows(db: Executor, openAfter: Date | null): Promise<EventRow[]> {
  const q = db.select().from(events);
  const filtered = openAfter ? q.where(and(eq(events.status, 'scheduled'), gt(events.endsAt, openAfter))) : q;
  return filtered.orderBy(asc(events.startsAt), asc(events.id));
}

export async function listTiers(db: Executor, eventId: string): Promise<TierRow[]> {
  return db.select().from(tiers).where(eq(tiers.eventId, eventId)).orderBy(asc(tiers.priceCents), asc(tiers.name));
}

export async function listTables(db: Executor, eventId: string): Promise<EventTableRow[]> {
  return db.select().from(eventTables).where(eq(eventTables.eventId, eventId)).orderBy(asc(eventTables.number));
}

export async function findTableWithTier(
  db: Executor,
  eventId: string,
  tableId: string,
  opts: { lock?: boolean } = {},
): Promise<{ table: EventTableRow; tier: TierRow } | null> {
  const q = db
    .select({ table: eventTables, tier: tiers })
    .from(eventTables)
    .innerJoin(tiers, eq(tiers.id, eventTables.tierId))
    .where(and(eq(eventTables.id, tableId), eq(eventTables.eventId, eventId)));
  // Lock only the table row: the tier is read-only here.
  const [row] = opts.lock ? await q.for('update', { of: eventTables }) : await q;
  return row ?? null;
}

export async function updateEvent(
  db: Executor,
  id: string,
  patch: Partial<Pick<EventRow, 'name' | 'startsAt' | 'endsAt' | 'status' | 'cancelledAt' | 'completedAt'>>,
): Promise<EventRow> {
  const [row] = await db
    .update(events)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(events.id, id))
    .returning();
  return row!;
}

export async function releaseGaCapacity(db: Executor, eventId: string, quantity: number): Promise<void> {
  await db
    .update(events)
    .set({ gaSold: sql`${events.gaSold} - ${quantity}` })
    .where(eq(events.id, eventId));
}

/** Scheduled events whose end has passed: the completion sweeper's work, claimed without waiting. */
export async function claimEventsDueCompletion(db: Executor, now: Date, limit: number): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(and(eq(events.status, 'scheduled'), lte(events.endsAt, now)))
    .limit(limit)
    .for('update', { skipLocked: true });
}
