import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { buyTable, linkWithInvite, openDoors, scan, scanRows } from './support/door.js';
import { errorCode } from './support/guests.js';
import { bearer, buyPaid, createEvent, startTestApp, T0, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
beforeEach(() => ctx.clock.set(new Date(T0)));
afterAll(() => ctx.close());

const order = (eventId: string, body: Record<string, unknown>) =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/orders`,
    payload: { email: `age-${Math.random()}@x.test`, name: 'Ada', ga_quantity: 1, ...body },
  });

const held = async (eventId: string) =>
  (
    await queryRows<{ sold: number; orders: number }>(
      ctx.database.db,
      sql`SELECT ga_sold AS sold, (SELECT count(*)::int FROM orders WHERE event_id = ${eventId}) AS orders FROM events WHERE id = ${eventId}`,
    )
  )[0]!;

describe('age checks', () => {
  it('an event with a minimum age sells only to buyers who confirm it, records when, and says so to everyone', async () => {
    const event = await createEvent(ctx, { min_age: 21 });
    const view = (await ctx.app.inject({ url: `/api/v1/events/${event.id}` })).json();
    expect(view.min_age).toBe(21);

    for (const body of [{}, { age_confirmed: false }, { table_id: event.tables[0]!.id }]) {
      const res = await order(event.id, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(errorCode(res)).toBe('invalid_request');
      expect(res.json().error.details.age_confirmed).toContain('21+');
    }
    expect(await held(event.id)).toEqual({ sold: 0, orders: 0 });

    const ok = await order(event.id, { age_confirmed: true, table_id: event.tables[0]!.id });
    expect(ok.statusCode, ok.body).toBe(201);
    const mine = await ctx.app.inject({
      url: `/api/v1/orders/${ok.json().order_id}`,
      headers: bearer(ok.json().manage_token),
    });
    expect(mine.json().age_confirmed_at).toBe(T0);

    // No minimum: nothing to confirm, nothing recorded.
    const plain = await createEvent(ctx);
    const any = await order(plain.id, {});
    expect(any.statusCode).toBe(201);
    expect(
      (
        await ctx.app.inject({ url: `/api/v1/orders/${any.json().order_id}`, headers: bearer(any.json().manage_token) })
      ).json().age_confirmed_at,
    ).toBeNull();
  });

  it('the owner sets or clears it with the details; leaving it out keeps it', async () => {
    const event = await createEvent(ctx);
    const put = (body: Record<string, unknown>) =>
      ctx.app.inject({
        method: 'PUT',
        url: `/api/v1/events/${event.id}/details`,
        headers: bearer(ctx.ownerToken),
        payload: { venue_name: 'V', venue_address: '', description: '', ...body },
      });
    expect((await put({ min_age: 18 })).json().min_age).toBe(18);
    expect((await put({})).json().min_age).toBe(18);
    const bad = await put({ min_age: 16 });
    expect(bad.statusCode).toBe(400);
    expect((await put({ min_age: null })).json().min_age).toBeNull();
  });

  it('every admission to such an event tells the door to check ID, online and in the offline cache; refusals do not', async () => {
    const event = await createEvent(ctx, { min_age: 18 });
    const table = await buyTable(ctx, event, 1);
    const ga = await buyPaid(ctx, event.id, { age_confirmed: true });
    const cache = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/scanner-cache`, headers: bearer(ctx.staffToken) })
    ).json();
    expect(cache.event.min_age).toBe(18);
    openDoors(ctx, event);
    expect(await scan(ctx, ga.view.tickets[0]!.qr!)).toMatchObject({ result: 'admitted', id_check: 18 });
    expect((await scan(ctx, ga.view.tickets[0]!.qr!)).id_check).toBeUndefined();
    expect(await scan(ctx, table.host.qr!)).toMatchObject({ result: 'admitted', id_check: 18 });
    expect(await scan(ctx, table.host.qr!, 'door-2')).toMatchObject({ result: 'reentry', id_check: 18 });
    const batch = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans/batch',
      headers: bearer(ctx.staffToken),
      payload: {
        scanner_id: 'door-9',
        event_id: event.id,
        scans: [{ qr: table.host.qr, scanned_at: ctx.clock.now().toISOString(), offline_result: 'reentry' }],
      },
    });
    expect(batch.json().results[0]).toMatchObject({ result: 'reentry', id_check: 18 });
  });
});

describe('a whole table at once', () => {
  it("the host's scan lists the guests by ticket; staff admit those standing there one tap each, each recorded as that guest's manual admission", async () => {
    const event = await createEvent(ctx);
    const table = await buyTable(ctx, event, 1);
    const guests = [];
    for (const name of ['Gina', 'Gus', 'Greta']) {
      const o = await buyPaid(ctx, event.id, { name, holder_names: [name] });
      await linkWithInvite(
        ctx,
        { ticketId: o.view.tickets[0]!.id, token: o.manage_token },
        table.order.view.reservation!.invite_code,
      );
      guests.push(o.view.tickets[0]!);
    }
    openDoors(ctx, event);
    const host = await scan(ctx, table.host.qr!);
    const byName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(host.vip!.guests)).toEqual(
      byName(guests.map((g) => ({ ticket_id: g.id, name: g.holder_name, arrived: false }))),
    );

    const admit = async (ticketId: string) => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        headers: bearer(ctx.staffToken),
        payload: { ticket_id: ticketId, scanner_id: 'door-1', event_id: event.id },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    expect(await admit(guests[0]!.id)).toMatchObject({ result: 'admitted', ticket: { kind: 'vip_guest' } });
    expect(await admit(guests[1]!.id)).toMatchObject({ result: 'admitted' });
    // Tapped twice: a linked guest comes back in as a re-entry, never a second first entry.
    expect(await admit(guests[1]!.id)).toMatchObject({ result: 'reentry' });
    const again = await scan(ctx, table.host.qr!);
    expect(byName(again.vip!.guests).map((g) => [g.name, g.arrived])).toEqual([
      ['Gina', true],
      ['Greta', false],
      ['Gus', true],
    ]);
    const rows = await scanRows(ctx, guests[0]!.id);
    expect(rows.map((r) => [r.method, r.result])).toEqual([['manual', 'admitted']]);
  });
});
