import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ageEventRows, buyTable, openDoors, scan, scanRows } from './support/door.js';
import { errorCode } from './support/guests.js';
import { bearer, buyPaid, createEvent, startTestApp, T0, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
beforeEach(() => ctx.clock.set(new Date(T0)));
afterAll(() => ctx.close());

const refuse = (body: Record<string, unknown>, token = ctx.ownerToken) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/refused', headers: bearer(token), payload: body });
const unrefuse = (id: string, token = ctx.ownerToken) =>
  ctx.app.inject({ method: 'DELETE', url: `/api/v1/refused/${id}`, headers: bearer(token) });
const list = async () =>
  (await ctx.app.inject({ url: '/api/v1/refused', headers: bearer(ctx.ownerToken) })).json().people as Array<
    Record<string, unknown>
  >;
const cache = async (eventId: string, since?: string) =>
  (
    await ctx.app.inject({
      url: `/api/v1/events/${eventId}/scanner-cache${since ? `?since=${encodeURIComponent(since)}` : ''}`,
      headers: bearer(ctx.staffToken),
    })
  ).json() as {
    generated_at: string;
    tickets: Array<{ id: string; refused?: string }>;
  };

describe("the venue's refused list", () => {
  it('a listed name is refused at the door with the reason for staff, the ticket untouched; taken off the list, they get in', async () => {
    const event = await createEvent(ctx);
    const max = await buyPaid(ctx, event.id, { name: 'Buyer', holder_names: ['  Max   MUSTERMANN '] });
    const added = await refuse({ name: 'max mustermann', reason: 'Fight at the bar, 12 Oct' });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({
      name: 'max mustermann',
      email: '',
      reason: 'Fight at the bar, 12 Oct',
      added_by: 'owner@test.local',
      removed_at: null,
    });

    openDoors(ctx, event);
    const qr = max.view.tickets[0]!.qr!;
    const refused = await scan(ctx, qr);
    expect(refused).toMatchObject({
      result: 'rejected',
      reason: 'refused',
      message: 'Refused — see the manager',
      refusal: 'Fight at the bar, 12 Oct',
    });
    expect((await scanRows(ctx, max.view.tickets[0]!.id)).map((r) => r.reason)).toEqual(['refused']);
    const order = await ctx.app.inject({ url: `/api/v1/orders/${max.order_id}`, headers: bearer(max.manage_token) });
    expect(order.json().tickets[0].status).toBe('valid');

    const removed = await unrefuse(added.json().id);
    expect(removed.json()).toMatchObject({ removed_by: 'owner@test.local', removed_at: expect.any(String) });
    // Removing twice answers the same; the entry is kept as a record.
    expect((await unrefuse(added.json().id)).json()).toEqual(removed.json());
    expect(await list()).toContainEqual(removed.json());
    expect(await scan(ctx, qr)).toMatchObject({ result: 'admitted' });
  });

  it('a listed e-mail: every ticket it bought is refused, a VIP host re-entering too, and it cannot buy (a neutral refusal, nothing held)', async () => {
    const event = await createEvent(ctx);
    const table = await buyTable(ctx, event, 1, 'Trouble Host');
    openDoors(ctx, event);
    expect((await scan(ctx, table.host.qr!)).result).toBe('admitted');
    const buyerEmail = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/orders?q=Trouble`, headers: bearer(ctx.ownerToken) })
    ).json().orders[0].email as string;
    expect((await refuse({ email: buyerEmail.toUpperCase(), reason: 'Chargeback fraud' })).statusCode).toBe(201);
    expect(await scan(ctx, table.host.qr!, 'door-2')).toMatchObject({
      result: 'rejected',
      reason: 'refused',
      refusal: 'Chargeback fraud',
    });

    ctx.clock.set(new Date(T0));
    const before = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json()
      .ga.sold;
    for (const body of [{ ga_quantity: 1 }, { ga_quantity: 1, table_id: event.tables[1]!.id }]) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/orders`,
        payload: { email: buyerEmail, name: 'Again', ...body },
      });
      expect(res.statusCode).toBe(409);
      expect(errorCode(res)).toBe('order_refused');
      expect(res.json().error.message).not.toMatch(/list|refused|ban/i);
    }
    expect(
      (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json().ga.sold,
    ).toBe(before);
  });

  it('offline too: the cache and its ?since= deltas carry who is refused (and who no longer is); a scan admitted offline syncs as a conflict', async () => {
    const event = await createEvent(ctx);
    const rita = await buyPaid(ctx, event.id, { name: 'Rita Refused' });
    const first = await cache(event.id);
    expect(first.tickets.find((t) => t.id === rita.view.tickets[0]!.id)!.refused).toBeUndefined();
    await ageEventRows(ctx, event.id, 60_000);
    const since = first.generated_at;

    const added = (await refuse({ name: 'Rita Refused', reason: 'Banned by the owner' })).json();
    const delta = await cache(event.id, since);
    expect(delta.tickets.map((t) => [t.id, t.refused])).toEqual([[rita.view.tickets[0]!.id, 'Banned by the owner']]);

    openDoors(ctx, event);
    const batch = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans/batch',
      headers: bearer(ctx.staffToken),
      payload: {
        scanner_id: 'door-off',
        event_id: event.id,
        scans: [
          { qr: rita.view.tickets[0]!.qr, scanned_at: ctx.clock.now().toISOString(), offline_result: 'admitted' },
        ],
      },
    });
    expect(batch.json().results[0]).toMatchObject({
      result: 'rejected',
      reason: 'refused',
      conflict: 'refused',
      refusal: 'Banned by the owner',
    });

    await ageEventRows(ctx, event.id, 60_000);
    const since2 = (await cache(event.id)).generated_at;
    await unrefuse(added.id);
    const after = await cache(event.id, since2);
    expect(after.tickets.map((t) => [t.id, t.refused])).toEqual([[rita.view.tickets[0]!.id, undefined]]);
  });

  it('refuses an entry without a name or an e-mail, or without a reason, and stores nothing; only the owner reads or changes it', async () => {
    const before = (await list()).length;
    for (const body of [
      { reason: 'x' },
      { name: '  ', email: '', reason: 'x' },
      { name: 'A', reason: '' },
      { email: 'not-an-email', reason: 'x' },
    ]) {
      const res = await refuse(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorCode(res)).toBe('invalid_request');
    }
    expect((await refuse({ name: 'Somebody', reason: 'x' }, ctx.staffToken)).statusCode).toBe(403);
    expect((await ctx.app.inject({ url: '/api/v1/refused', headers: bearer(ctx.staffToken) })).statusCode).toBe(403);
    expect((await unrefuse('00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect(await list()).toHaveLength(before);
  });
});
