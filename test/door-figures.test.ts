import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { buyTable, openDoors, scan } from './support/door.js';
import { bearer, buyPaid, createEvent, startTestApp, type TestContext } from './support/harness.js';
import { SseReader } from './support/sse.js';

let ctx: TestContext;
let base: string;
beforeAll(async () => {
  ctx = await startTestApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => ctx.close());

interface Figures {
  admitted: number;
  by_door: Array<{ scanner_id: string; admitted: number }>;
  over_time: Array<{ at: string; admitted: number }>;
}

/**
 * The figures as the scan log says them, computed here without Velvet's code: each ticket still
 * checked in counts once, at the door and in the quarter hour of its earliest admitting scan.
 */
async function fromScanLog(eventId: string): Promise<Figures> {
  const first = await queryRows<{ scanner_id: string; at: Date | string }>(
    ctx.database.db,
    sql`SELECT DISTINCT ON (s.ticket_id) s.scanner_id, s.scanned_at AS at
          FROM scans s JOIN tickets t ON t.id = s.ticket_id AND t.status = 'checked_in'
         WHERE s.event_id = ${eventId} AND s.result IN ('admitted', 'reentry')
         ORDER BY s.ticket_id, s.scanned_at, s.id`,
  );
  const byDoor = new Map<string, number>();
  const byQuarter = new Map<string, number>();
  for (const f of first) {
    byDoor.set(f.scanner_id, (byDoor.get(f.scanner_id) ?? 0) + 1);
    const ms = new Date(f.at).getTime();
    const quarter = new Date(ms - (ms % 900_000)).toISOString();
    byQuarter.set(quarter, (byQuarter.get(quarter) ?? 0) + 1);
  }
  return {
    admitted: first.length,
    by_door: [...byDoor]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([scanner_id, admitted]) => ({ scanner_id, admitted })),
    over_time: [...byQuarter].sort(([a], [b]) => a.localeCompare(b)).map(([at, admitted]) => ({ at, admitted })),
  };
}

/** The figures the stream pushed last (each push is the whole figures). */
let last: unknown;

/** Reads the stream until its latest figures are `expected`; nothing to read if they already are. */
async function untilPushed(stream: SseReader, expected: Figures): Promise<void> {
  if (JSON.stringify(last) === JSON.stringify(expected)) return;
  const deadline = Date.now() + 8_000;
  while (Date.now() < deadline) {
    const m = await stream.next(Math.max(1, deadline - Date.now())).catch(() => null);
    if (!m) break;
    expect(m.event).toBe('snapshot');
    last = m.data;
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
  }
  expect(last, 'the figures last pushed').toEqual(expected);
}

describe("the door's figures, live", () => {
  it(
    'per door and in total, pushed as they change, always what the scan log says: two scanners, online and offline, reconciled',
    { timeout: 60_000 },
    async () => {
      const event = await createEvent(ctx);
      const ga = [];
      for (let i = 0; i < 6; i++) ga.push((await buyPaid(ctx, event.id, { name: `Guest ${i}` })).view.tickets[0]!);
      const table = await buyTable(ctx, event, 1);
      openDoors(ctx, event);

      const abort = new AbortController();
      const res = await fetch(`${base}/api/v1/events/${event.id}/door/stream?token=${ctx.staffToken}`, {
        signal: abort.signal,
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const stream = new SseReader(res);
      last = (await stream.next()).data;
      expect(last).toEqual({ admitted: 0, by_door: [], over_time: [] });
      const summary = async () =>
        (await ctx.app.inject({ url: `/api/v1/events/${event.id}/summary`, headers: bearer(ctx.ownerToken) })).json()
          .door as Figures;
      const step = async () => {
        const expected = await fromScanLog(event.id);
        await untilPushed(stream, expected);
        expect(await summary()).toEqual(expected);
        return expected;
      };

      // Online, two doors; a re-entry and a refusal change nothing.
      await scan(ctx, ga[0]!.qr!, 'door-1');
      await scan(ctx, ga[1]!.qr!, 'door-1');
      await scan(ctx, ga[2]!.qr!, 'door-2');
      await scan(ctx, table.host.qr!, 'door-2');
      await scan(ctx, table.host.qr!, 'door-1');
      await scan(ctx, ga[0]!.qr!, 'door-2');
      expect(await step()).toMatchObject({
        admitted: 4,
        by_door: [
          { scanner_id: 'door-1', admitted: 2 },
          { scanner_id: 'door-2', admitted: 2 },
        ],
      });

      // door-3 was offline twenty minutes ago: it let in a new guest, a guest door-1 admitted only
      // later (so that entry moves to door-3), and a code door-2 had already let in (a conflict).
      ctx.clock.advance(30 * 60_000);
      const earlier = (minutes: number) => new Date(ctx.clock.now().getTime() - minutes * 60_000).toISOString();
      const batch = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/scans/batch',
        headers: bearer(ctx.staffToken),
        payload: {
          scanner_id: 'door-3',
          event_id: event.id,
          scans: [
            { qr: ga[3]!.qr, scanned_at: earlier(20), offline_result: 'admitted' },
            { qr: ga[1]!.qr, scanned_at: earlier(45), offline_result: 'admitted' },
            { qr: ga[2]!.qr, scanned_at: earlier(5), offline_result: 'admitted' },
          ],
        },
      });
      expect(batch.json().conflicts).toBe(2);
      expect(await step()).toMatchObject({
        admitted: 5,
        by_door: [
          { scanner_id: 'door-1', admitted: 1 },
          { scanner_id: 'door-2', admitted: 2 },
          { scanner_id: 'door-3', admitted: 2 },
        ],
      });

      // Refunds: a guest already inside stays counted (they came in); an unused ticket never was.
      await scan(ctx, ga[4]!.qr!, 'door-1');
      expect((await step()).admitted).toBe(6);
      for (const name of ['Guest 4', 'Guest 5']) {
        const order = (
          await ctx.app.inject({
            url: `/api/v1/events/${event.id}/orders?q=${encodeURIComponent(name)}`,
            headers: bearer(ctx.ownerToken),
          })
        ).json().orders[0];
        const refund = await ctx.app.inject({
          method: 'POST',
          url: `/api/v1/orders/${order.order_id}/refund`,
          headers: bearer(ctx.ownerToken),
          payload: { amount_cents: order.amount_cents },
        });
        expect(refund.statusCode, refund.body).toBe(202);
      }
      expect((await step()).admitted).toBe(6);
      expect((await scan(ctx, ga[5]!.qr!, 'door-2')).result).toBe('rejected');
      expect((await step()).admitted).toBe(6);
      abort.abort();
    },
  );

  it('is for staff and the owner only, and 404 for an event that does not exist', async () => {
    const event = await createEvent(ctx);
    const buyer = await buyPaid(ctx, event.id);
    for (const [token, status] of [
      [undefined, 401],
      [buyer.manage_token, 403],
    ] as const) {
      const res = await fetch(`${base}/api/v1/events/${event.id}/door/stream${token ? `?token=${token}` : ''}`);
      expect(res.status).toBe(status);
      await res.body?.cancel();
    }
    const missing = await fetch(
      `${base}/api/v1/events/00000000-0000-4000-8000-000000000000/door/stream?token=${ctx.ownerToken}`,
    );
    expect(missing.status).toBe(404);
  });
});
