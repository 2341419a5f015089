import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReservation } from '../src/db/repos/reservations.repo.js';
import { findTicket } from '../src/db/repos/tickets.repo.js';
import { buyTable, openDoors, scanRows, watchFloor, type ScanJson } from './support/door.js';
import { bearer, buyPaid, createEvent, startTestApp, type EventInfo, type TestContext } from './support/harness.js';

const N = 20;
let ctx: TestContext;
let event: EventInfo;

beforeAll(async () => {
  // Each concurrent request needs its own connection to really race on PostgreSQL.
  ctx = await startTestApp({ poolSize: N + 5 });
  event = await createEvent(ctx);
});
afterAll(() => ctx.close());

/** N scanners scan the same code at the same instant (with the same nonce if given). */
async function stampede(qr: string, opts: { nonce?: string; sameScanner?: boolean } = {}) {
  const responses = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        headers: { ...bearer(ctx.staffToken), ...(opts.nonce ? { 'x-idempotency-key': opts.nonce } : {}) },
        payload: { qr, scanner_id: opts.sameScanner ? 'door-1' : `door-${i + 1}`, event_id: event.id },
      }),
    ),
  );
  for (const r of responses) expect(r.statusCode, r.body).toBe(200);
  return responses.map((r) => r.json() as ScanJson);
}

const tally = (results: ScanJson[]) => {
  const out: Record<string, number> = {};
  for (const r of results) {
    const key = r.result === 'rejected' ? `rejected/${r.reason}` : r.result;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
};

describe(`${N} scanners, one code, the same instant`, () => {
  it('GA: exactly one admitted, the rest already_checked_in naming the winner', async () => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const results = await stampede(ticket.qr!);
    expect(tally(results)).toEqual({ admitted: 1, 'rejected/already_checked_in': N - 1 });
    const winner = results.findIndex((r) => r.result === 'admitted');
    const row = (await findTicket(ctx.database.db, ticket.id))!;
    expect(row.status).toBe('checked_in');
    expect(row.firstScannerId).toBe(`door-${winner + 1}`);
    for (const r of results.filter((x) => x.result === 'rejected')) {
      expect(r.first_scanner_id).toBe(`door-${winner + 1}`);
      expect(r.first_checked_in_at).toBe(ctx.clock.now().toISOString());
    }
    const log = await scanRows(ctx, ticket.id);
    expect(log).toHaveLength(N);
    expect(log.filter((s) => s.result === 'admitted')).toHaveLength(1);
  });

  it('VIP host: one admitted, the rest re-entries; the table arrives once, with one floor-plan change', async () => {
    const { host, reservationId, tableId } = await buyTable(ctx, event, 1);
    openDoors(ctx, event);
    const floor = await watchFloor(ctx, event);
    try {
      const results = await stampede(host.qr!);
      expect(tally(results)).toEqual({ admitted: 1, reentry: N - 1 });
      const winner = `door-${results.findIndex((r) => r.result === 'admitted') + 1}`;
      for (const r of results.filter((x) => x.result === 'reentry')) {
        expect(r).toMatchObject({
          already_checked_in: true,
          first_scanner_id: winner,
          vip: { role: 'host', table_number: 1 },
        });
        // Twenty doors at once is exactly the shared-screenshot pattern.
        expect(r.warning?.scanner_id).toBeDefined();
      }
      const reservation = (await findReservation(ctx.database.db, reservationId))!;
      expect(reservation.status).toBe('checked_in');
      expect(reservation.checkedInAt?.toISOString()).toBe(ctx.clock.now().toISOString());
      await floor.settle();
      expect(floor.count(tableId)).toBe(1);
    } finally {
      await floor.stop();
    }
  });

  it('the same retry N times at once: one decision, one log row, N identical answers', async () => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const results = await stampede(ticket.qr!, { nonce: 'same-retry', sameScanner: true });
    expect(tally(results)).toEqual({ admitted: N });
    // (Replays come back from jsonb, whose key order differs: compare as values.)
    for (const r of results) expect(r).toEqual(results[0]);
    expect(await scanRows(ctx, ticket.id)).toHaveLength(1);
  });
});
