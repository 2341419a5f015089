import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { eventTables, events, tiers } from '../schema.js';
import type { EventRow, EventTableRow, TierRow } from './events.repo.js';

/** Every table row of an event, locked in id order (placeOrder locks one table, then the event). */
export async function lockEventTables(db: Executor, eventId: string): Promise<EventTableRow[]> {
  return db
    .select()
    .from(eventTables)
    .where(eq(eventTables.eventId, eventId))
    .orderBy(asc(eventTables.id))
    .for('update');
}

/** Tables that were ever held or sold: an order names them, so they stay (they can move). */
export async function tablesWithOrders(db: Executor, eventId: string): Promise<Set<string>> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT DISTINCT event_table_id AS id FROM orders WHERE event_id = ${eventId} AND event_table_id IS NOT NULL`,
  );
  return new Set(rows.map((r) => r.id));
}

/** Per table with a live party: how many people it seats now (the host and the active guests). */
export async function partySizes(db: Executor, eventId: string): Promise<Map<string, number>> {
  const rows = await queryRows<{ table_id: string; people: number }>(
    db,
    sql`SELECT r.event_table_id AS table_id,
               1 + (SELECT count(*)::int FROM guest_links gl WHERE gl.reservation_id = r.id AND gl.unlinked_at IS NULL) AS people
          FROM reservations r
         WHERE r.event_id = ${eventId} AND r.status IN ('pending', 'confirmed', 'checked_in')`,
  );
  return new Map(rows.map((r) => [r.table_id, r.people]));
}

export async function setGa(
  db: Executor,
  eventId: string,
  ga: { priceCents: number; capacity: number },
): Promise<EventRow> {
  const [row] = await db
    .update(events)
    .set({ gaPriceCents: ga.priceCents, gaCapacity: ga.capacity, updatedAt: sql`now()` })
    .where(eq(events.id, eventId))
    .returning();
  return row!;
}

export async function updateTier(
  db: Executor,
  id: string,
  t: Pick<TierRow, 'name' | 'priceCents' | 'capacity' | 'minSpendCents'>,
): Promise<void> {
  await db.update(tiers).set(t).where(eq(tiers.id, id));
}

export async function deleteTiers(db: Executor, eventId: string, ids: string[]): Promise<void> {
  if (ids.length) await db.delete(tiers).where(and(eq(tiers.eventId, eventId), inArray(tiers.id, ids)));
}

export async function updateTable(
  db: Executor,
  id: string,
  t: Partial<Pick<EventTableRow, 'number' | 'tierId' | 'x' | 'y'>>,
): Promise<void> {
  await db.update(eventTables).set(t).where(eq(eventTables.id, id));
}

/** Moves kept tables' numbers out of the way first, so two tables can swap numbers in one edit. */
export async function parkTableNumbers(db: Executor, ids: string[]): Promise<void> {
  if (ids.length)
    await db
      .update(eventTables)
      .set({ number: sql`${eventTables.number} + 1000000` })
      .where(inArray(eventTables.id, ids));
}

export async function deleteTables(db: Executor, eventId: string, ids: string[]): Promise<void> {
  if (ids.length)
    await db.delete(eventTables).where(and(eq(eventTables.eventId, eventId), inArray(eventTables.id, ids)));
}
