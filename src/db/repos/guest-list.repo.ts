import { and, count, eq, isNull, ne } from 'drizzle-orm';
import type { Executor } from '../database.js';
import { eventTables, guestLinks, reservations } from '../schema.js';
import type { ReservationRow } from './reservations.repo.js';

export type GuestLinkRow = typeof guestLinks.$inferSelect;

/** The name of the unique partial index that allows one active link per ticket. */
export const ONE_ACTIVE_LINK_PER_TICKET = 'guest_links_one_active_per_ticket';

export async function findReservationByInviteCode(db: Executor, code: string): Promise<ReservationRow | null> {
  const [row] = await db.select().from(reservations).where(eq(reservations.inviteCode, code));
  return row ?? null;
}

/** The live (not cancelled) reservation whose host code is this ticket, with its table number. */
export async function findHostReservation(
  db: Executor,
  ticketId: string,
): Promise<{ reservationId: string; tableNumber: number } | null> {
  const [row] = await db
    .select({ reservationId: reservations.id, tableNumber: eventTables.number })
    .from(reservations)
    .innerJoin(eventTables, eq(eventTables.id, reservations.eventTableId))
    .where(and(eq(reservations.hostTicketId, ticketId), ne(reservations.status, 'cancelled')));
  return row ?? null;
}

export async function findActiveLink(db: Executor, ticketId: string): Promise<GuestLinkRow | null> {
  const [row] = await db
    .select()
    .from(guestLinks)
    .where(and(eq(guestLinks.ticketId, ticketId), isNull(guestLinks.unlinkedAt)));
  return row ?? null;
}

export async function countActiveGuests(db: Executor, reservationId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(guestLinks)
    .where(and(eq(guestLinks.reservationId, reservationId), isNull(guestLinks.unlinkedAt)));
  return row?.n ?? 0;
}

export async function insertGuestLink(
  db: Executor,
  link: Pick<
    GuestLinkRow,
    'eventId' | 'ticketId' | 'reservationId' | 'linkedByUserId' | 'overrideCapacity' | 'createdAt'
  >,
): Promise<GuestLinkRow> {
  const [row] = await db.insert(guestLinks).values(link).returning();
  return row!;
}

/** Ends a link; the row stays as history. Only an active link is touched. */
export async function markUnlinked(
  db: Executor,
  linkId: string,
  at: Date,
  by: NonNullable<GuestLinkRow['unlinkedBy']>,
): Promise<GuestLinkRow | null> {
  const [row] = await db
    .update(guestLinks)
    .set({ unlinkedAt: at, unlinkedBy: by })
    .where(and(eq(guestLinks.id, linkId), isNull(guestLinks.unlinkedAt)))
    .returning();
  return row ?? null;
}
