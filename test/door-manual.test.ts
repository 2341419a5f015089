import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyTable, openDoors, scanRows } from './support/door.js';
import { bearer, buyPaid, createEvent, startTestApp, type EventInfo, type TestContext } from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

// Manual admission: staff find a guest whose phone died by name in the door's search and admit the
// ticket they picked (`ticket_id` instead of `qr`), online or from the offline queue.

let ctx: TestContext;
let event: EventInfo;
let other: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
  other = await createEvent(ctx, { name: 'Saturday Night' });
});
afterAll(() => ctx.close());

const post = (url: string, payload: Record<string, unknown>) =>
  ctx.app.inject({ method: 'POST', url, headers: bearer(ctx.staffToken), payload });

const DOMAIN_TABLES = ['events', 'orders', 'tickets', 'reservations', 'guest_links', 'scans'];

describe('POST /scans with ticket_id', () => {
  it('admits a GA ticket once, exactly as its code would, and records the scan as manual', async () => {
    const ticket = (await buyPaid(ctx, event.id, { name: 'Phone Dead' })).view.tickets[0]!;
    openDoors(ctx, event);
    const first = await post('/api/v1/scans', { ticket_id: ticket.id, scanner_id: 'door-1', event_id: event.id });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      result: 'admitted',
      ticket: { id: ticket.id, holder_name: 'Phone Dead', kind: 'ga' },
    });
    const again = await post('/api/v1/scans', { qr: ticket.qr, scanner_id: 'door-2', event_id: event.id });
    expect(again.json()).toMatchObject({
      result: 'rejected',
      reason: 'already_checked_in',
      first_scanner_id: 'door-1',
    });
    const rows = await scanRows(ctx, ticket.id);
    expect(rows.map((r) => r.method)).toEqual(['manual', 'code']);
  });

  it('gives a VIP host the full VIP treatment', async () => {
    const { host } = await buyTable(ctx, event, 2, 'Vera Vip');
    openDoors(ctx, event);
    const res = await post('/api/v1/scans', { ticket_id: host.id, scanner_id: 'door-1', event_id: event.id });
    expect(res.json()).toMatchObject({
      result: 'admitted',
      ticket: { kind: 'vip_host' },
      vip: { table_number: 2, role: 'host', host_name: 'Vera Vip' },
    });
  });

  it('a ticket of another event is refused, naming nothing of it', async () => {
    const foreign = (await buyPaid(ctx, other.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const res = await post('/api/v1/scans', { ticket_id: foreign.id, scanner_id: 'door-1', event_id: event.id });
    expect(res.json()).toMatchObject({ result: 'rejected', ticket: null });
    expect((await scanRows(ctx, foreign.id)).length).toBe(0);
  });

  it.each([
    [
      'both qr and ticket_id',
      (id: string, qr: string) => ({ qr, ticket_id: id, scanner_id: 'door-1', event_id: event.id }),
    ],
    ['neither qr nor ticket_id', () => ({ scanner_id: 'door-1', event_id: event.id })],
    ['ticket_id without event_id', (id: string) => ({ ticket_id: id, scanner_id: 'door-1' })],
    ['ticket_id that is not an id', () => ({ ticket_id: 'bob', scanner_id: 'door-1', event_id: event.id })],
  ])('%s is 400 invalid_request and changes nothing', async (_name, body) => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const before = await dumpTables(ctx.database.db, DOMAIN_TABLES);
    const res = await post('/api/v1/scans', body(ticket.id, ticket.qr!));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(await dumpTables(ctx.database.db, DOMAIN_TABLES)).toEqual(before);
  });
});

describe('POST /scans/batch: manual items and the nonce of a lost online answer', () => {
  it('a manual admission decided offline is applied when the batch syncs', async () => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const at = new Date(ctx.clock.now().getTime() - 60_000).toISOString();
    const res = await post('/api/v1/scans/batch', {
      scanner_id: 'door-3',
      event_id: event.id,
      scans: [{ ticket_id: ticket.id, scanned_at: at, offline_result: 'admitted' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results[0]).toMatchObject({ index: 0, result: 'admitted' });
    expect(res.json().results[0].conflict).toBeUndefined();
    expect((await scanRows(ctx, ticket.id)).map((r) => [r.method, r.offline])).toEqual([['manual', true]]);
  });

  it('an online scan whose answer was lost, then queued offline with the same nonce, is one entry and no conflict', async () => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const nonce = 'scan-7f3a';
    const online = await post('/api/v1/scans', { qr: ticket.qr, scanner_id: 'door-4', event_id: event.id, nonce });
    expect(online.json().result).toBe('admitted');
    // The device never saw that answer: it decided offline (admitted) and queued the scan.
    const batch = await post('/api/v1/scans/batch', {
      scanner_id: 'door-4',
      event_id: event.id,
      scans: [{ qr: ticket.qr, scanned_at: ctx.clock.now().toISOString(), offline_result: 'admitted', nonce }],
    });
    expect(batch.json().results[0]).toMatchObject({ result: 'admitted', replayed: true });
    expect(batch.json().results[0].conflict).toBeUndefined();
    expect(await scanRows(ctx, ticket.id)).toHaveLength(1);
  });

  it('without the nonce the same situation is reported as a conflict (why the page sends it)', async () => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    await post('/api/v1/scans', { qr: ticket.qr, scanner_id: 'door-5', event_id: event.id, nonce: 'n-1' });
    const batch = await post('/api/v1/scans/batch', {
      scanner_id: 'door-5',
      event_id: event.id,
      scans: [{ qr: ticket.qr, scanned_at: ctx.clock.now().toISOString(), offline_result: 'admitted' }],
    });
    expect(batch.json().results[0]).toMatchObject({ result: 'rejected', conflict: 'already_checked_in' });
  });
});
