import { generateKeyPairSync } from 'node:crypto';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketSigner } from '../src/auth/ticket-signer.js';
import { findTicket } from '../src/db/repos/tickets.repo.js';
import { buyTable, eventOf, openDoors, scan, scanRows } from './support/door.js';
import { bearer, buyPaid, createEvent, startTestApp, type EventInfo, type TestContext } from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

// jsqr is CommonJS with a `default` property; under NodeNext typings that is where the function is.
const jsQR = jsQRModule.default;

let ctx: TestContext;
let event: EventInfo;
let other: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
  other = await createEvent(ctx, { name: 'Saturday Night' });
});
afterAll(() => ctx.close());

/** A door always names its event; tests that need another one (or none) say so. */
const post = (payload: Record<string, unknown>, headers: Record<string, string> = bearer(ctx.staffToken)) =>
  ctx.app.inject({
    method: 'POST',
    url: '/api/v1/scans',
    headers,
    payload:
      'event_id' in payload || typeof payload.qr !== 'string' ? payload : { ...payload, event_id: eventOf(payload.qr) },
  });

/** Everything except the scan log: a refused or replayed scan must not change any of it. */
const DOMAIN_TABLES = ['events', 'orders', 'tickets', 'reservations', 'guest_links'];

describe('codes that are not ours are refused before any ticket is read', () => {
  it('forged, truncated, foreign-key and garbage codes are invalid_code; the attempt is logged', async () => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const [prefix, payload, sig] = ticket.qr!.split('.');
    const flipped = `${sig![0] === 'A' ? 'B' : 'A'}${sig!.slice(1)}`;
    const foreignSigner = (() => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      return new TicketSigner(privateKey, publicKey);
    })();
    const bad = [
      `${prefix}.${payload}.${flipped}`,
      ticket.qr!.slice(0, -5),
      foreignSigner.sign(event.id, ticket.id),
      'https://example.com/not-a-ticket',
    ];
    const before = await dumpTables(ctx.database.db, DOMAIN_TABLES);
    const logged = (await scanRows(ctx)).length;
    for (const qr of bad) {
      const res = await scan(ctx, qr, 'door-9', { event_id: event.id });
      expect(res).toMatchObject({
        result: 'rejected',
        reason: 'invalid_code',
        ticket: null,
        already_checked_in: false,
      });
    }
    expect(await dumpTables(ctx.database.db, DOMAIN_TABLES)).toEqual(before);
    const rows = (await scanRows(ctx)).slice(logged);
    expect(rows).toHaveLength(bad.length);
    expect(
      rows.every(
        (r) =>
          r.ticketId === null && r.result === 'rejected' && r.reason === 'invalid_code' && r.userId === ctx.staffId,
      ),
    ).toBe(true);
    // The genuine code still works.
    expect((await scan(ctx, ticket.qr!, 'door-9')).result).toBe('admitted');
  });

  it("a code for another event than the scanner's is wrong_event and leaves that ticket valid", async () => {
    const ticket = (await buyPaid(ctx, other.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const before = await dumpTables(ctx.database.db, DOMAIN_TABLES);
    const res = await scan(ctx, ticket.qr!, 'door-1', { event_id: event.id });
    expect(res).toMatchObject({
      result: 'rejected',
      reason: 'wrong_event',
      message: 'This ticket is for another event',
    });
    expect(await dumpTables(ctx.database.db, DOMAIN_TABLES)).toEqual(before);
    const [row] = (await scanRows(ctx)).slice(-1);
    expect(row).toMatchObject({ eventId: event.id, ticketId: null, reason: 'wrong_event' });
    expect((await findTicket(ctx.database.db, ticket.id))!.status).toBe('valid');
  });

  it('an unknown scanner event is 404 and logs nothing', async () => {
    const logged = (await scanRows(ctx)).length;
    const res = await post({ qr: 'V1.x.y', scanner_id: 'door-1', event_id: '00000000-0000-4000-8000-000000000000' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect(await scanRows(ctx)).toHaveLength(logged);
  });
});

describe('retries with a nonce', () => {
  it('answers the first result again and logs nothing twice (header or body nonce)', async () => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const first = await scan(ctx, ticket.qr!, 'door-1', { headers: { 'x-idempotency-key': 'k-1' } });
    expect(first.result).toBe('admitted');
    const before = await dumpTables(ctx.database.db, [...DOMAIN_TABLES, 'scans']);
    ctx.clock.advance(30_000);
    const retry = await post(
      { qr: ticket.qr, scanner_id: 'door-1' },
      { ...bearer(ctx.staffToken), 'x-idempotency-key': 'k-1' },
    );
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first);
    expect(await scan(ctx, ticket.qr!, 'door-1', { nonce: 'k-1' })).toEqual(first);
    expect(await dumpTables(ctx.database.db, [...DOMAIN_TABLES, 'scans'])).toEqual(before);

    // A new nonce is a new attempt; the same nonce at another scanner is that scanner's own.
    expect(await scan(ctx, ticket.qr!, 'door-1', { nonce: 'k-2' })).toMatchObject({
      result: 'rejected',
      reason: 'already_checked_in',
    });
    expect(await scan(ctx, ticket.qr!, 'door-2', { nonce: 'k-1' })).toMatchObject({
      result: 'rejected',
      reason: 'already_checked_in',
    });
    expect(await scanRows(ctx, ticket.id)).toHaveLength(3);
  });

  it('refuses a nonce reused for another ticket, and a header and body nonce that differ', async () => {
    const [a, b] = (await buyPaid(ctx, event.id, { ga_quantity: 2 })).view.tickets;
    openDoors(ctx, event);
    await scan(ctx, a!.qr!, 'door-3', { nonce: 'n-1' });
    const reused = await post({ qr: b!.qr, scanner_id: 'door-3', nonce: 'n-1' });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.code).toBe('idempotency_key_reused');
    expect((await findTicket(ctx.database.db, b!.id))!.status).toBe('valid');

    // A nonce first spent on an unreadable code, or on a code of another event than the scanner's,
    // is not a retry of a valid scan: the stored refusal (or admission) is not the answer.
    const c = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    await scan(ctx, 'not a velvet code', 'door-3', { nonce: 'n-4', event_id: event.id });
    const afterGarbage = await post({ qr: c.qr, scanner_id: 'door-3', nonce: 'n-4' });
    expect(afterGarbage.statusCode, afterGarbage.body).toBe(409);
    expect(afterGarbage.json().error.code).toBe('idempotency_key_reused');
    await scan(ctx, c.qr!, 'door-3', { nonce: 'n-5', event_id: event.id });
    const otherEvent = await post({ qr: c.qr, scanner_id: 'door-3', nonce: 'n-5', event_id: other.id });
    expect(otherEvent.statusCode, otherEvent.body).toBe(409);
    expect(otherEvent.json().error.code).toBe('idempotency_key_reused');
    // A true retry of an unreadable code still answers its refusal.
    expect(await scan(ctx, 'not a velvet code', 'door-3', { nonce: 'n-4', event_id: event.id })).toMatchObject({
      result: 'rejected',
      reason: 'invalid_code',
    });

    const differ = await post(
      { qr: b!.qr, scanner_id: 'door-3', nonce: 'n-2' },
      { ...bearer(ctx.staffToken), 'x-idempotency-key': 'n-3' },
    );
    expect(differ.statusCode).toBe(400);
    expect(differ.json().error.code).toBe('invalid_request');
  });
});

describe('who may scan', () => {
  it('staff and owner only', async () => {
    const order = await buyPaid(ctx, event.id);
    const qr = order.view.tickets[0]!.qr!;
    openDoors(ctx, event);
    const logged = (await scanRows(ctx)).length;
    const anonymous = await post({ qr, scanner_id: 'door-1' }, {});
    expect(anonymous.statusCode).toBe(401);
    const buyer = await post({ qr, scanner_id: 'door-1' }, bearer(order.manage_token));
    expect(buyer.statusCode).toBe(403);
    expect(buyer.json().error.code).toBe('forbidden');
    const bad = await post({ qr, scanner_id: 'door-1' }, bearer('not.a.token'));
    expect(bad.statusCode).toBe(401);
    expect(await scanRows(ctx)).toHaveLength(logged);
    expect((await scan(ctx, qr, 'door-1', { token: ctx.ownerToken })).result).toBe('admitted');

    for (const [headers, status] of [
      [{}, 401],
      [bearer(order.manage_token), 403],
      [bearer(ctx.ownerToken), 200],
    ] as const) {
      const res = await ctx.app.inject({ url: `/api/v1/events/${event.id}/scanner-cache`, headers });
      expect(res.statusCode).toBe(status);
    }
    const batch = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans/batch',
      headers: bearer(order.manage_token),
      payload: {
        scanner_id: 'door-1',
        scans: [{ qr, scanned_at: ctx.clock.now().toISOString(), offline_result: 'admitted' }],
      },
    });
    expect(batch.statusCode).toBe(403);
    // Credentials come before the body: a stranger's malformed request is 401, not a validation hint.
    const strangerBadBody = await post({ qr: 42 }, {});
    expect(strangerBadBody.statusCode).toBe(401);
  });

  it('bad input is 400 invalid_request with the fields', async () => {
    const res = await post({ qr: '', scanner_id: '' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'invalid_request',
      details: { qr: expect.any(String), scanner_id: expect.any(String) },
    });
  });
});

describe('the printed code', () => {
  it('decodes from a QR image back to a code that scans admitted', async () => {
    const { order, host } = await buyTable(ctx, event, 3, 'Quinn Qr');
    // The server's SVG is exactly the qrcode library's rendering of the ticket's string...
    const svg = await ctx.app.inject({ url: `/api/v1/tickets/${host.id}/qr.svg?token=${order.manage_token}` });
    expect(svg.statusCode).toBe(200);
    expect(svg.body).toBe(await QRCode.toString(host.qr!, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
    // ...so a raster of the same rendering stands for the printed ticket a camera reads.
    const png = PNG.sync.read(
      await QRCode.toBuffer(host.qr!, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 }),
    );
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(host.qr);

    openDoors(ctx, event);
    const res = await scan(ctx, decoded!.data, 'door-1', { event_id: event.id });
    expect(res).toMatchObject({
      result: 'admitted',
      ticket: { id: host.id, kind: 'vip_host' },
      vip: { table_number: 3, tier: 'Silver' },
    });
  });
});

describe('a door works one event', () => {
  it('a scan or a batch without event_id is refused (400, event_id named) and changes nothing', async () => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const before = await dumpTables(ctx.database.db, [...DOMAIN_TABLES, 'scans']);
    const single = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      headers: bearer(ctx.staffToken),
      payload: { qr: ticket.qr, scanner_id: 'door-1' },
    });
    expect(single.statusCode).toBe(400);
    expect(single.json().error.details).toHaveProperty('event_id');
    const batch = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans/batch',
      headers: bearer(ctx.staffToken),
      payload: {
        scanner_id: 'door-1',
        scans: [{ qr: ticket.qr, scanned_at: ctx.clock.now().toISOString(), offline_result: 'admitted' }],
      },
    });
    expect(batch.statusCode).toBe(400);
    expect(batch.json().error.details).toHaveProperty('event_id');
    expect(await dumpTables(ctx.database.db, [...DOMAIN_TABLES, 'scans'])).toEqual(before);
  });

  it('a code of another event open at the same time is wrong_event, naming neither that event nor its holder', async () => {
    const theirs = (await buyPaid(ctx, other.id, { name: 'Secret Person' })).view.tickets[0]!;
    openDoors(ctx, event);
    const res = await scan(ctx, theirs.qr!, 'door-1', { event_id: event.id });
    expect(res).toMatchObject({ result: 'rejected', reason: 'wrong_event', ticket: null });
    expect(JSON.stringify(res)).not.toMatch(/Secret Person|Saturday Night/);
    expect(JSON.stringify(res)).not.toContain(other.id);
    expect((await findTicket(ctx.database.db, theirs.id))!.status).toBe('valid');
  });
});
