import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../database.js';
import { reservations, ticketTransfers, tickets } from '../schema.js';
import type { TicketRow } from './tickets.repo.js';

export type TransferRow = typeof ticketTransfers.$inferSelect;

/**
 * The ticket's new holder and code: the generation signed into `qr`, the new holder's capability
 * hash. `updated_at` is database time, so the scanner cache's `?since=` sends the new generation.
 */
export async function handTicketOver(
  db: Executor,
  ticketId: string,
  to: { generation: number; qr: string; holderName: string; holderEmail: string; holderTokenHash: string },
): Promise<TicketRow> {
  const [row] = await db
    .update(tickets)
    .set({
      codeGeneration: to.generation,
      qr: to.qr,
      holderName: to.holderName,
      holderEmail: to.holderEmail,
      holderTokenHash: to.holderTokenHash,
      updatedAt: sql`now()`,
    })
    .where(eq(tickets.id, ticketId))
    .returning();
  return row!;
}

export async function insertTransfer(
  db: Executor,
  t: Omit<TransferRow, 'id' | 'createdAt'> & { createdAt: Date },
): Promise<TransferRow> {
  const [row] = await db.insert(ticketTransfers).values(t).returning();
  return row!;
}

export async function findTransfer(db: Executor, id: string): Promise<TransferRow | null> {
  const [row] = await db.select().from(ticketTransfers).where(eq(ticketTransfers.id, id));
  return row ?? null;
}

export async function listOrderTransfers(db: Executor, orderId: string): Promise<TransferRow[]> {
  return db
    .select()
    .from(ticketTransfers)
    .where(eq(ticketTransfers.orderId, orderId))
    .orderBy(asc(ticketTransfers.createdAt), asc(ticketTransfers.generation));
}

/** The ticket a transferred-to holder's capability opens, by the capability's hash. */
export async function findTicketByHolderTokenHash(
  db: Executor,
  hash: string,
): Promise<Pick<TicketRow, 'id' | 'orderId'> | null> {
  const [row] = await db
    .select({ id: tickets.id, orderId: tickets.orderId })
    .from(tickets)
    .where(eq(tickets.holderTokenHash, hash));
  return row ?? null;
}

/** Not the reservation's `updated_at`: nothing the door decides by changes, so no scanner needs it again. */
export async function setGuestsMayTransfer(db: Executor, reservationId: string, allowed: boolean): Promise<void> {
  await db.update(reservations).set({ guestsMayTransfer: allowed }).where(eq(reservations.id, reservationId));
}

/**
 * The latest transfer of each of an order's tickets that is held elsewhere and no longer admits
 * anyone (voided by a refund or a cancellation): whose holder to tell.
 */
export async function voidedTransfersOfOrder(db: Executor, orderId: string): Promise<TransferRow[]> {
  return db
    .select({ transfer: ticketTransfers })
    .from(ticketTransfers)
    .innerJoin(
      tickets,
      and(eq(tickets.id, ticketTransfers.ticketId), eq(tickets.codeGeneration, ticketTransfers.generation)),
    )
    .where(and(eq(ticketTransfers.orderId, orderId), eq(tickets.status, 'void')))
    .then((rows) => rows.map((r) => r.transfer));
}
