import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTicketsStatus } from '../src/db/repos/tickets.repo.js';
import { buyTable, openDoors, scan, type ScanJson } from './support/door.js';
import {
  bearer,
  buyPaid,
  createEvent,
  placeOrder,
  startTestApp,
  type EventInfo,
  type TestContext,
} from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

/**
 * Resending is harmless, item by item, whatever else a batch held (API.md: a scanner resends a
 * batch whose answer it lost). Every kind of refused item, mixed with good ones: the first send
 * applies the good ones, the resend answers every item as before and changes nothing, and no
 * item's refusal turns the batch into an error.
 */
let ctx: TestContext;
let event: EventInfo;
let other: EventInfo;
beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
  other = await createEvent(ctx, { name: 'Elsewhere' });
});
afterAll(() => ctx.close());

type Item = ScanJson & { index: number; replayed: boolean };

async function batch(scannerId: string, scans: Array<Record<string, unknown>>) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/scans/batch',
    headers: bearer(ctx.staffToken),
    payload: { scanner_id: scannerId, event_id: event.id, scans },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { results: Item[]; conflicts: number };
}

const strip = ({ replayed: _r, ...rest }: Item) => rest;

/** A code with one signature byte changed: well formed, not ours. */
function forged(qr: string): string {
  const i = qr.length - 3;
  return qr.slice(0, i) + (qr[i] === 'A' ? 'B' : 'A') + qr.slice(i + 1);
}

describe('resending a batch', () => {
  it('answers every item as the first time, refused ones included, and changes nothing', async () => {
    const [ga1, ga2, dup] = (await buyPaid(ctx, event.id, { ga_quantity: 3, name: 'Gary' })).view.tickets;
    const { host } = await buyTable(ctx, event, 1);
    const [refunded] = (await buyPaid(ctx, event.id, { name: 'Rita' })).view.tickets;
    await setTicketsStatus(ctx.database.db, [refunded!.id], ['valid'], 'void');
    const unpaid = await placeOrder(ctx, event.id, { name: 'Pat' });
    const unpaidTicket = (
      await ctx.app.inject({ url: `/api/v1/orders/${unpaid.order_id}`, headers: bearer(unpaid.manage_token) })
    ).json().tickets[0];
    const [elsewhere] = (await buyPaid(ctx, other.id, { name: 'Olga' })).view.tickets;
    openDoors(ctx, event);
    const now = Date.parse(event.starts_at) + 3_600_000;
    const at = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    // An online attempt whose nonce the device later reuses for another code (a scanner bug):
    // that item alone is refused.
    await scan(ctx, ga2!.qr!, 'door-r', { nonce: 'spent-nonce' });

    const items = [
      { qr: ga1!.qr, scanned_at: at(30), offline_result: 'admitted' },
      { qr: 'not a velvet code', scanned_at: at(29), offline_result: 'rejected' },
      { qr: forged(ga1!.qr!), scanned_at: at(28), offline_result: 'rejected' },
      { qr: elsewhere!.qr, scanned_at: at(27), offline_result: 'rejected' },
      { ticket_id: elsewhere!.id, scanned_at: at(26), offline_result: 'admitted' },
      { ticket_id: randomUUID(), scanned_at: at(25), offline_result: 'admitted' },
      { ticket_id: unpaidTicket.id, scanned_at: at(24), offline_result: 'admitted' },
      { qr: refunded!.qr, scanned_at: at(23), offline_result: 'admitted' },
      { qr: dup!.qr, scanned_at: at(22), offline_result: 'admitted' },
      { qr: dup!.qr, scanned_at: at(21), offline_result: 'admitted' },
      { qr: host.qr, scanned_at: at(20), offline_result: 'admitted' },
      { qr: ga1!.qr, scanned_at: new Date(now + 3_600_000).toISOString(), offline_result: 'admitted' },
      { qr: ga1!.qr, scanned_at: '1970-01-01T00:00:00.000Z', offline_result: 'admitted' },
      { qr: dup!.qr, scanned_at: at(10), offline_result: 'admitted', nonce: 'spent-nonce' },
    ];
    const first = await batch('door-r', items);
    expect(first.results.map((r) => r.result)).toEqual([
      'admitted',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'admitted',
      'rejected',
      'admitted',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(first.results[13]).toMatchObject({ reason: 'idempotency_key_reused', conflict: 'idempotency_key_reused' });
    const before = await dumpTables(ctx.database.db, ['tickets', 'reservations', 'scans', 'orders']);

    const again = await batch('door-r', items);
    expect(again.results.map(strip)).toEqual(first.results.map(strip));
    expect(again.conflicts).toBe(first.conflicts);
    expect(await dumpTables(ctx.database.db, ['tickets', 'reservations', 'scans', 'orders'])).toEqual(before);
    // A batch overlapping the first, with one new good item, applies just that one.
    const [late] = (await buyPaid(ctx, event.id, { name: 'Lena' })).view.tickets;
    const overlap = await batch('door-r', [
      ...items.slice(0, 5),
      { qr: late!.qr, scanned_at: at(5), offline_result: 'admitted' },
    ]);
    expect(overlap.results.map((r) => r.replayed)).toEqual([true, true, true, true, true, false]);
    expect(overlap.results[5]!.result).toBe('admitted');
  });
});

describe('resending an online scan', () => {
  it('answers the stored result for every kind of refusal', async () => {
    const [elsewhere] = (await buyPaid(ctx, other.id, { name: 'Oscar' })).view.tickets;
    const [refunded] = (await buyPaid(ctx, event.id, { name: 'Ruth' })).view.tickets;
    await setTicketsStatus(ctx.database.db, [refunded!.id], ['valid'], 'void');
    openDoors(ctx, event);
    const attempts: Array<Record<string, unknown>> = [
      { qr: 'garbage' },
      { qr: elsewhere!.qr },
      { ticket_id: elsewhere!.id },
      { ticket_id: randomUUID() },
      { qr: refunded!.qr },
    ];
    for (const [i, body] of attempts.entries()) {
      const send = () =>
        ctx.app.inject({
          method: 'POST',
          url: '/api/v1/scans',
          headers: bearer(ctx.staffToken),
          payload: { ...body, scanner_id: 'door-o', event_id: event.id, nonce: `retry-${i}` },
        });
      const a = await send();
      const b = await send();
      expect([a.statusCode, b.statusCode], b.body).toEqual([200, 200]);
      expect(b.json()).toEqual(a.json());
      expect(b.headers['idempotent-replayed']).toBe('true');
    }
  });
});
