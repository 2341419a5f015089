import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../database.js';
import { eventCovers, events } from '../schema.js';

export interface CoverImage {
  bytes: Buffer;
  contentType: string;
  width: number;
  height: number;
  etag: string;
}

/** Stores an event's cover (replacing any) and its version on the event row, in the caller's transaction (updated_at is database time, like every change cursor). */
export async function putCover(db: Executor, eventId: string, cover: CoverImage): Promise<void> {
  await db
    .insert(eventCovers)
    .values({ eventId, ...cover })
    .onConflictDoUpdate({ target: eventCovers.eventId, set: { ...cover, updatedAt: sql`now()` } });
  await db
    .update(events)
    .set({ coverEtag: cover.etag, updatedAt: sql`now()` })
    .where(eq(events.id, eventId));
}

export async function deleteCover(db: Executor, eventId: string): Promise<void> {
  await db.delete(eventCovers).where(eq(eventCovers.eventId, eventId));
  await db
    .update(events)
    .set({ coverEtag: null, updatedAt: sql`now()` })
    .where(eq(events.id, eventId));
}

export async function findCover(db: Executor, eventId: string): Promise<CoverImage | null> {
  const [row] = await db.select().from(eventCovers).where(eq(eventCovers.eventId, eventId));
  return row
    ? { bytes: row.bytes, contentType: row.contentType, width: row.width, height: row.height, etag: row.etag }
    : null;
}

export async function updateEventDetails(
  db: Executor,
  eventId: string,
  d: { venueName: string; venueAddress: string; description: string; minAge?: 18 | 21 | null; locale?: string },
): Promise<void> {
  await db
    .update(events)
    .set({ ...d, updatedAt: sql`now()` })
    .where(eq(events.id, eventId));
}
