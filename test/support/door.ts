import { and, eq, isNull, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { notifyTableChanged, FLOOR_CHANNEL } from '../../src/db/repos/floor.repo.js';
import { guestLinks, scans } from '../../src/db/schema.js';
import { parseTicketCode } from '../../src/domain/ticket-code.js';
import { doorLink, linkTicket, unlinkTicket } from './guests.js';
import { bearer, buyPaid, type EventInfo, type TestContext } from './harness.js';
import type { z } from 'zod';
import type * as responses from '../../src/http/responses.js';

export type ScanJson = z.output<typeof responses.scanResponse>;

export async function scan(
  ctx: TestContext,
  qr: string,
  scannerId = 'door-1',
  extra: { event_id?: string; nonce?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<ScanJson> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/scans',
    headers: { ...bearer(extra.token ?? ctx.staffToken), ...extra.headers },
    payload: {
      qr,
      scanner_id: scannerId,
      event_id: extra.event_id ?? eventOf(qr),
      ...(extra.nonce ? { nonce: extra.nonce } : {}),
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** The event a code is for (a door works one event), or some other event for a code that is not ours. */
export const eventOf = (qr: string) => parseTicketCode(qr)?.eventId ?? '00000000-0000-4000-8000-000000000001';

/** Moves the frozen clock into the event's door window (an hour after it starts). */
export function openDoors(ctx: TestContext, event: Pick<EventInfo, 'starts_at'>, plusMs = 3_600_000): void {
  ctx.clock.set(new Date(Date.parse(event.starts_at) + plusMs));
}

/** A paid table: the purchaser's ticket (the unified VIP code) and the reservation. */
export async function buyTable(
  ctx: TestContext,
  event: EventInfo,
  tableNumber: number,
  name = 'Hannah Host',
  extra: { locale?: string } = {},
) {
  const table = event.tables.find((t) => t.number === tableNumber)!;
  const order = await buyPaid(ctx, event.id, {
    ga_quantity: 1,
    table_id: table.id,
    name,
    age_confirmed: true,
    ...extra,
  });
  const host = order.view.tickets.find((t) => t.is_host)!;
  return { order, host, reservationId: order.view.reservation!.id, tableId: table.id };
}

/** A guest links their own ticket with the table's invite code (`POST /tickets/:id/link`), before the start. */
export async function linkWithInvite(
  ctx: TestContext,
  guest: { ticketId: string; token: string },
  inviteCode: string,
): Promise<void> {
  const res = await linkTicket(ctx, guest.ticketId, guest.token, inviteCode);
  expect(res.statusCode, res.body).toBe(200);
}

/** Staff put a ticket on a table's list at the door (`POST /reservations/:id/guests`), also during the event. */
export async function linkAtDoor(ctx: TestContext, reservationId: string, ticketId: string): Promise<void> {
  const res = await doorLink(ctx, reservationId, ticketId, ctx.staffToken);
  expect(res.statusCode, res.body).toBe(200);
}

/** A guest takes their ticket off its table (`DELETE /tickets/:id/link`), before the start. */
export async function unlinkOwn(ctx: TestContext, guest: { ticketId: string; token: string }): Promise<void> {
  const res = await unlinkTicket(ctx, guest.ticketId, guest.token);
  expect(res.statusCode, res.body).toBe(200);
}

/**
 * Writes a guest link straight into `guest_links`, bypassing the guest-list rules. Only for states
 * the API refuses to create (a link to an unpaid table or of an unpaid ticket) but the door must
 * still decide: every caller says why it needs one.
 */
export async function writeGuestLink(
  ctx: TestContext,
  eventId: string,
  ticketId: string,
  reservationId: string,
): Promise<void> {
  await ctx.database.db.insert(guestLinks).values({ eventId, ticketId, reservationId });
}

/** Ends a ticket's active link directly: the API allows it only before the start (see callers). */
export async function writeGuestUnlink(ctx: TestContext, ticketId: string): Promise<void> {
  await ctx.database.db
    .update(guestLinks)
    .set({ unlinkedAt: sql`now()`, unlinkedBy: 'guest' })
    .where(and(eq(guestLinks.ticketId, ticketId), isNull(guestLinks.unlinkedAt)));
}

export async function scanRows(ctx: TestContext, ticketId?: string) {
  const q = ctx.database.db.select().from(scans);
  return ticketId ? q.where(eq(scans.ticketId, ticketId)).orderBy(scans.id) : q.orderBy(scans.id);
}

/**
 * Counts floor-plan notifications per table. `settle()` publishes a marker and waits for it:
 * notifications arrive in commit order, so once the marker is in, everything committed before it is.
 */
export async function watchFloor(ctx: TestContext, event: EventInfo) {
  const counts = new Map<string, number>();
  let waiting: { tableId: string; resolve: () => void } | null = null;
  const marker = event.tables[event.tables.length - 1]!.id;
  let markerSeen = 0;
  const stop = await ctx.database.listen(FLOOR_CHANNEL, (payload) => {
    const { table_id } = JSON.parse(payload) as { table_id: string };
    if (table_id === marker) {
      markerSeen++;
      waiting?.resolve();
      return;
    }
    counts.set(table_id, (counts.get(table_id) ?? 0) + 1);
  });
  return {
    count: (tableId: string) => counts.get(tableId) ?? 0,
    async settle() {
      const seen = markerSeen;
      const arrived = new Promise<void>((resolve) => (waiting = { tableId: marker, resolve }));
      await ctx.database.transaction((tx) => notifyTableChanged(tx, event.id, marker));
      while (markerSeen === seen) await arrived;
      waiting = null;
    },
    stop,
  };
}

/**
 * Moves every change timestamp of an event's tickets, links and reservations back by `ms`, as if
 * all of it had happened that long ago: lets a `?since=` test tell old rows from new ones without
 * waiting out the cursor's overlap window.
 */
export async function ageEventRows(ctx: TestContext, eventId: string, ms: number): Promise<void> {
  const by = sql`${`${ms} milliseconds`}::interval`;
  const db = ctx.database.db;
  await db.execute(sql`UPDATE tickets SET updated_at = updated_at - ${by} WHERE event_id = ${eventId}`);
  await db.execute(sql`UPDATE reservations SET updated_at = updated_at - ${by} WHERE event_id = ${eventId}`);
  await db.execute(
    sql`UPDATE guest_links SET created_at = created_at - ${by}, unlinked_at = unlinked_at - ${by} WHERE event_id = ${eventId}`,
  );
}
