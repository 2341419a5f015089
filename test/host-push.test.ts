import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { processDuePushes } from '../src/services/push/push-worker.service.js';
import { buyTable, linkWithInvite, openDoors, scan } from './support/door.js';
import { errorCode } from './support/guests.js';
import { bearer, buyPaid, createEvent, startTestApp, T0, type EventInfo, type TestContext } from './support/harness.js';
import { startTestPushService, type SubscriptionJson, type TestPushService } from './support/push-service.js';

let ctx: TestContext;
let push: TestPushService;
let publicKey: string;

beforeAll(async () => {
  ctx = await startTestApp({ env: { VELVET_PUSH_ALLOW_HTTP: '1' } });
  push = await startTestPushService();
  const res = await ctx.app.inject({ url: '/api/v1/push/public-key' });
  expect(res.statusCode).toBe(200);
  publicKey = res.json().public_key;
});
// Every test buys and links before its own night (events all fall on the same day).
beforeEach(() => ctx.clock.set(new Date(T0)));
afterAll(async () => {
  await push.close();
  await ctx.close();
});

/** Sends every due push, as the worker would, until none is due; returns how many were claimed. */
async function drainPushes(): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await processDuePushes(ctx.deps);
    if (n === 0) return total;
    total += n;
  }
}

const subscribe = (reservationId: string, token: string, body: unknown) =>
  ctx.app.inject({
    method: 'PUT',
    url: `/api/v1/reservations/${reservationId}/push-subscription`,
    headers: bearer(token),
    payload: body as object,
  });

const pushRows = (reservationId: string) =>
  queryRows<{ ticket_id: string; status: string; attempts: number; last_error: string | null }>(
    ctx.database.db,
    sql`SELECT ticket_id, status, attempts, last_error FROM pushes WHERE reservation_id = ${reservationId} ORDER BY created_at, id`,
  );

const subscriptionCount = async (reservationId: string) =>
  (
    await queryRows<{ n: number }>(
      ctx.database.db,
      sql`SELECT count(*)::int AS n FROM push_subscriptions WHERE reservation_id = ${reservationId}`,
    )
  )[0]!.n;

/** A paid table whose host subscribed `devices` devices, and `guests` guests linked by invite before the night. */
async function tableWithGuests(
  event: EventInfo,
  tableNumber: number,
  guestNames: string[],
  devices = 1,
  host: { locale?: string } = {},
) {
  const table = await buyTable(ctx, event, tableNumber, 'Hannah Host', host);
  const invite = table.order.view.reservation!.invite_code;
  const guests = [];
  for (const name of guestNames) {
    const order = await buyPaid(ctx, event.id, { name, holder_names: [name] });
    const ticket = order.view.tickets[0]!;
    await linkWithInvite(ctx, { ticketId: ticket.id, token: order.manage_token }, invite);
    guests.push({ name, qr: ticket.qr!, id: ticket.id });
  }
  const subscriptions: SubscriptionJson[] = [];
  for (let i = 0; i < devices; i++) {
    const s = push.subscribe(publicKey);
    const res = await subscribe(table.reservationId, table.order.manage_token, s);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ subscribed: true, devices: i + 1 });
    subscriptions.push(s);
  }
  return { ...table, guests, subscriptions };
}

const received = (endpoint: string) =>
  push.received
    .filter((p) => p.subscription === endpoint)
    .map(
      (p) =>
        p.payload as {
          title: string;
          body: string;
          tag: string;
          url: string;
          guest_name: string;
          arrived: number;
          guests: number;
        },
    );

describe('the host is told when each guest arrives (Web Push)', () => {
  it('each linked guest’s first admission reaches every device of the host once, decrypted, naming the guest and the table; re-entries, the host and GA send nothing', async () => {
    const event = await createEvent(ctx);
    const t = await tableWithGuests(event, 1, ['Gina Guest', 'Gus Guest', 'Greta Guest'], 2);
    const ga = await buyPaid(ctx, event.id, { name: 'Gail General' });
    openDoors(ctx, event);
    const before = push.received.length;

    expect((await scan(ctx, t.host.qr!)).ticket?.kind).toBe('vip_host');
    expect((await scan(ctx, ga.view.tickets[0]!.qr!)).result).toBe('admitted');
    expect(await pushRows(t.reservationId)).toEqual([]);

    expect((await scan(ctx, t.guests[0]!.qr)).result).toBe('admitted');
    ctx.clock.advance(60_000);
    expect((await scan(ctx, t.guests[1]!.qr, 'door-2')).result).toBe('admitted');
    // Out and back in: a re-entry is not an arrival.
    expect((await scan(ctx, t.guests[0]!.qr)).result).toBe('reentry');
    expect(await drainPushes()).toBe(4);
    await push.waitFor(before + 4);

    for (const s of t.subscriptions) {
      // Sent side by side: the order they land in is the push service's; the count says who came first.
      const got = received(s.endpoint).sort((a, b) => a.arrived - b.arrived);
      expect(got.map((p) => p.title)).toEqual(['Gina Guest is in', 'Gus Guest is in']);
      expect(got[0]).toMatchObject({
        body: 'Gina Guest is in — 1 of 3 at Table 1 · Friday Night',
        url: `/orders/${t.order.order_id}`,
        arrived: 1,
        guests: 3,
        tag: `arrival-${t.guests[0]!.id}`,
      });
      expect(got[1]).toMatchObject({ body: 'Gus Guest is in — 2 of 3 at Table 1 · Friday Night', arrived: 2 });
    }
    expect(push.received.slice(before).every((p) => p.urgency === 'high' && p.ttl > 0 && p.ttl <= 3600)).toBe(true);
    expect(push.refused).toEqual([]);
    expect((await pushRows(t.reservationId)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(await drainPushes()).toBe(0);
  });

  it('a guest admitted offline notifies when the scan syncs, and only once however often the batch is sent', async () => {
    const event = await createEvent(ctx);
    const t = await tableWithGuests(event, 2, ['Olga Offline']);
    openDoors(ctx, event);
    const batch = {
      scanner_id: 'door-offline',
      event_id: event.id,
      scans: [
        {
          qr: t.guests[0]!.qr,
          scanned_at: ctx.clock.now().toISOString(),
          offline_result: 'admitted',
          nonce: 'offline-olga-1',
        },
      ],
    };
    ctx.clock.advance(5 * 60_000);
    for (let i = 0; i < 3; i++) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/scans/batch',
        headers: bearer(ctx.staffToken),
        payload: batch,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    // The same guest scanned online later by another door: a re-entry, nothing more.
    expect((await scan(ctx, t.guests[0]!.qr, 'door-2')).result).toBe('reentry');
    expect(await pushRows(t.reservationId)).toHaveLength(1);
    await drainPushes();
    expect(received(t.subscriptions[0]!.endpoint).map((p) => p.body)).toEqual([
      'Olga Offline is in — 1 of 1 at Table 2 · Friday Night',
    ]);
  });

  it('the notification speaks the language the host bought their table in', async () => {
    const event = await createEvent(ctx);
    const t = await tableWithGuests(event, 3, ['Gina Gast'], 1, { locale: 'de' });
    openDoors(ctx, event);
    expect((await scan(ctx, t.guests[0]!.qr)).result).toBe('admitted');
    await drainPushes();
    expect(received(t.subscriptions[0]!.endpoint)).toEqual([
      expect.objectContaining({
        title: 'Gina Gast ist da',
        body: 'Gina Gast ist da — 1 von 1 an Tisch 3 · Friday Night',
      }),
    ]);
  });

  it('a subscription the push service says is gone (410) is removed; the host’s other device is still told', async () => {
    const event = await createEvent(ctx);
    const t = await tableWithGuests(event, 3, ['Gwen Gone', 'Gil Later'], 2);
    push.expire(t.subscriptions[0]!.endpoint);
    openDoors(ctx, event);
    await scan(ctx, t.guests[0]!.qr);
    await drainPushes();
    expect(await subscriptionCount(t.reservationId)).toBe(1);
    expect(received(t.subscriptions[0]!.endpoint)).toEqual([]);
    expect(received(t.subscriptions[1]!.endpoint).map((p) => p.guest_name)).toEqual(['Gwen Gone']);
    // The removed device has nothing queued any more; the next arrival goes to the other only.
    await scan(ctx, t.guests[1]!.qr);
    expect(await pushRows(t.reservationId)).toHaveLength(2);
    await drainPushes();
    expect(received(t.subscriptions[1]!.endpoint).map((p) => p.guest_name)).toEqual(['Gwen Gone', 'Gil Later']);
  });

  it('a push service that is down (503) is retried with backoff; nothing is lost or sent twice', async () => {
    const event = await createEvent(ctx);
    const t = await tableWithGuests(event, 1, ['Rita Retry']);
    openDoors(ctx, event);
    await scan(ctx, t.guests[0]!.qr);
    push.unavailable = true;
    try {
      expect(await processDuePushes(ctx.deps)).toBe(1);
      const [row] = await pushRows(t.reservationId);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringContaining('503') });
      // Not due again until its backoff has passed.
      expect(await processDuePushes(ctx.deps)).toBe(0);
    } finally {
      push.unavailable = false;
    }
    ctx.clock.advance(5_000);
    expect(await drainPushes()).toBe(1);
    expect(received(t.subscriptions[0]!.endpoint).map((p) => p.guest_name)).toEqual(['Rita Retry']);
    expect((await pushRows(t.reservationId))[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('workers racing over the outbox send exactly one notification per arrival', async () => {
    const event = await createEvent(ctx, { ga: { price_cents: 2000, capacity: 400 } });
    const names = Array.from({ length: 7 }, (_, i) => `Racer ${i + 1}`);
    const t = await tableWithGuests(event, 1, names, 3);
    openDoors(ctx, event);
    await Promise.all(t.guests.map((g, i) => scan(ctx, g.qr, `door-${i % 3}`)));
    const before = push.received.length;
    // Four workers at once, small batches: every claim must be someone else's SKIP LOCKED.
    const workers = Array.from({ length: 4 }, async () => {
      let n = 0;
      for (let k; (k = await processDuePushes(ctx.deps, { batchSize: 2 })) > 0;) n += k;
      return n;
    });
    expect((await Promise.all(workers)).reduce((a, b) => a + b, 0)).toBe(21);
    await push.waitFor(before + 21);
    for (const s of t.subscriptions)
      expect(
        received(s.endpoint)
          .map((p) => p.guest_name)
          .sort(),
      ).toEqual([...names].sort());
    // Arrival numbers are 1..7, each once, whatever order the workers sent them in.
    expect(
      received(t.subscriptions[0]!.endpoint)
        .map((p) => p.arrived)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('subscribing', () => {
  it('is the host’s alone, for a paid table, to a real push endpoint; refusals change nothing', async () => {
    const event = await createEvent(ctx);
    const table = await buyTable(ctx, event, 1);
    const other = await buyPaid(ctx, event.id, { name: 'Someone Else' });
    const s = push.subscribe(publicKey);
    const url = `/api/v1/reservations/${table.reservationId}/push-subscription`;

    // Another order's token, staff and the owner: not the host's devices.
    expect((await subscribe(table.reservationId, other.manage_token, s)).statusCode).toBe(404);
    expect((await subscribe(table.reservationId, ctx.staffToken, s)).statusCode).toBe(403);
    expect((await subscribe(table.reservationId, ctx.ownerToken, s)).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'PUT', url, payload: s })).statusCode).toBe(401);
    // Malformed keys and a non-URL endpoint.
    for (const bad of [
      { ...s, keys: { p256dh: 'short', auth: s.keys.auth } },
      { ...s, endpoint: 'not a url' },
      { endpoint: s.endpoint },
    ]) {
      const res = await subscribe(table.reservationId, table.order.manage_token, bad);
      expect(res.statusCode, res.body).toBe(400);
      expect(errorCode(res)).toBe('invalid_request');
    }
    expect(await subscriptionCount(table.reservationId)).toBe(0);

    // The same device again is one subscription (its keys refreshed); removing it is idempotent.
    for (let i = 0; i < 2; i++)
      expect((await subscribe(table.reservationId, table.order.manage_token, s)).json()).toEqual({
        subscribed: true,
        devices: 1,
      });
    for (let i = 0; i < 2; i++) {
      const res = await ctx.app.inject({
        method: 'DELETE',
        url,
        headers: bearer(table.order.manage_token),
        payload: { endpoint: s.endpoint },
      });
      expect(res.json()).toEqual({ subscribed: false, devices: 0 });
    }

    // A host with many phones: the newest five are kept.
    for (let i = 0; i < 7; i++)
      await subscribe(table.reservationId, table.order.manage_token, push.subscribe(publicKey));
    expect(await subscriptionCount(table.reservationId)).toBe(5);
  });

  it('refuses endpoints a browser would never give: plain HTTP, addresses, localhost (without the test switch)', async () => {
    const strict = await startTestApp();
    try {
      const event = await createEvent(strict);
      const table = await buyTable(strict, event, 1);
      const keys = push.subscribe(publicKey).keys;
      for (const endpoint of [
        'http://push.example.com/x',
        'https://127.0.0.1/x',
        'https://localhost/x',
        'https://[::1]/x',
        'https://intranet/x',
        'ftp://push.example.com/x',
      ]) {
        const res = await strict.app.inject({
          method: 'PUT',
          url: `/api/v1/reservations/${table.reservationId}/push-subscription`,
          headers: bearer(table.order.manage_token),
          payload: { endpoint, keys },
        });
        expect(res.statusCode, endpoint).toBe(400);
        expect(res.json().error.details.endpoint).toBeDefined();
      }
      const ok = await strict.app.inject({
        method: 'PUT',
        url: `/api/v1/reservations/${table.reservationId}/push-subscription`,
        headers: bearer(table.order.manage_token),
        payload: { endpoint: 'https://fcm.googleapis.com/fcm/send/abc', keys },
      });
      expect(ok.statusCode, ok.body).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('is refused once there is nothing to tell: a table not paid, a night that is over', async () => {
    const event = await createEvent(ctx);
    const table = await buyTable(ctx, event, 1);
    ctx.clock.set(new Date(Date.parse(event.ends_at) + 60_000));
    const res = await subscribe(table.reservationId, table.order.manage_token, push.subscribe(publicKey));
    expect(res.statusCode).toBe(409);
    expect(errorCode(res)).toBe('event_ended');
    expect(await subscriptionCount(table.reservationId)).toBe(0);
  });
});
