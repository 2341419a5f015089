import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from './support/guests.js';
import { expectRefused as refused } from './support/refused.js';
import { bearer, buyPaid, createEvent, placeOrder, startTestApp, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp({ poolSize: 40 });
});
afterAll(() => ctx.close());

interface EventJson {
  id: string;
  ga: { price_cents: number; capacity: number; sold?: number };
  tiers: Array<{ id: string; name: string; price_cents: number; capacity: number; min_spend_cents: number | null }>;
  tables: Array<{ id: string; number: number; tier: string; x: number; y: number }>;
}

const read = async (id: string): Promise<EventJson> =>
  (await ctx.app.inject({ url: `/api/v1/events/${id}`, headers: bearer(ctx.ownerToken) })).json();
const put = (id: string, body: object, token = ctx.ownerToken) =>
  ctx.app.inject({ method: 'PUT', url: `/api/v1/events/${id}/layout`, headers: bearer(token), payload: body });

/** The event's layout as the API would take it back unchanged. */
function layoutOf(e: EventJson) {
  return {
    ga: { price_cents: e.ga.price_cents, capacity: e.ga.capacity },
    tiers: e.tiers.map((t) => ({
      id: t.id,
      name: t.name,
      price_cents: t.price_cents,
      capacity: t.capacity,
      ...(t.min_spend_cents ? { min_spend_cents: t.min_spend_cents } : {}),
    })),
    tables: e.tables.map((t) => ({ id: t.id, number: t.number, tier: t.tier, x: t.x, y: t.y })),
  };
}

const expectRefused = (send: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
  refused(ctx, send, status, code);

describe('editing an event while it sells', () => {
  it('prices apply to new orders only; tiers and tables are added, moved, renumbered (even swapped) and removed', async () => {
    const created = await createEvent(ctx);
    const early = await buyPaid(ctx, created.id, { ga_quantity: 1 });
    const e = await read(created.id);
    const layout = layoutOf(e);
    layout.ga.price_cents = 3000;
    layout.tiers.push({ id: undefined as unknown as string, name: 'Bronze', price_cents: 10000, capacity: 4 });
    const [t1, t2, t3] = layout.tables;
    // Swap 1 and 2, move 3 onto Bronze and away; add a table 9.
    layout.tables = [
      { ...t1!, number: 2 },
      { ...t2!, number: 1 },
      { ...t3!, tier: 'Bronze', x: 500, y: 300 },
      { id: undefined as unknown as string, number: 9, tier: 'Bronze', x: 700, y: 300 },
    ];
    const res = await put(created.id, {
      ...layout,
      tiers: layout.tiers.map(({ id, ...t }) => (id ? { id, ...t } : t)),
      tables: layout.tables.map(({ id, ...t }) => (id ? { id, ...t } : t)),
    });
    expect(res.statusCode, res.body).toBe(200);
    const after = await read(created.id);
    expect(after.ga.price_cents).toBe(3000);
    expect(after.tables.map((t) => [t.number, t.tier, t.x, t.y])).toEqual([
      [1, 'Gold', t2!.x, t2!.y],
      [2, 'Gold', t1!.x, t1!.y],
      [3, 'Bronze', 500, 300],
      [9, 'Bronze', 700, 300],
    ]);
    // The early buyer keeps what they paid; a new buyer pays the new price.
    expect(
      (await ctx.app.inject({ url: `/api/v1/orders/${early.order_id}`, headers: bearer(early.manage_token) })).json()
        .amount_cents,
    ).toBe(2000);
    expect((await placeOrder(ctx, created.id, { ga_quantity: 1 })).amount_cents).toBe(3000);

    // Removing the Silver tier (no table on it any more) and table 9.
    const now = layoutOf(after);
    const res2 = await put(created.id, {
      ...now,
      tiers: now.tiers.filter((t) => t.name !== 'Silver'),
      tables: now.tables.filter((t) => t.number !== 9),
    });
    expect(res2.statusCode, res2.body).toBe(200);
    expect(
      res2
        .json()
        .tiers.map((t: { name: string }) => t.name)
        .sort(),
    ).toEqual(['Bronze', 'Gold']);
    expect(res2.json().tables.map((t: { number: number }) => t.number)).toEqual([1, 2, 3]);
  });

  it('never undoes what was sold: GA below sold, a party bigger than its tier, a sold table renumbered, re-tiered or deleted; each named, nothing changed', async () => {
    const created = await createEvent(ctx, { ga: { price_cents: 2000, capacity: 20 } });
    // Silver table 3 with the host and two guests seated: 3 people.
    await buyPaid(ctx, created.id, { ga_quantity: 3, table_id: created.tables[2]!.id });
    await placeOrder(ctx, created.id, { ga_quantity: 2 });
    const e = await read(created.id);
    const base = layoutOf(e);
    const silver = base.tiers.findIndex((t) => t.name === 'Silver');
    const sold = base.tables.findIndex((t) => t.number === 3);

    let res = await expectRefused(
      () => put(created.id, { ...base, ga: { ...base.ga, capacity: 4 } }),
      400,
      'invalid_request',
    );
    expect(res.json().error.details['ga.capacity']).toMatch(/at least 5/);
    res = await expectRefused(
      () => put(created.id, { ...base, tiers: base.tiers.map((t, i) => (i === silver ? { ...t, capacity: 2 } : t)) }),
      400,
      'invalid_request',
    );
    expect(res.json().error.details[`tiers.${silver}.capacity`]).toMatch(/at least 3/);
    res = await expectRefused(
      () => put(created.id, { ...base, tables: base.tables.map((t, i) => (i === sold ? { ...t, number: 30 } : t)) }),
      400,
      'invalid_request',
    );
    expect(res.json().error.details[`tables.${sold}.number`]).toMatch(/keeps its number/);
    res = await expectRefused(
      () => put(created.id, { ...base, tables: base.tables.map((t, i) => (i === sold ? { ...t, tier: 'Gold' } : t)) }),
      400,
      'invalid_request',
    );
    expect(res.json().error.details[`tables.${sold}.tier`]).toMatch(/keeps its tier/);
    res = await expectRefused(
      () => put(created.id, { ...base, tables: base.tables.filter((_, i) => i !== sold) }),
      400,
      'invalid_request',
    );
    expect(res.json().error.details['tables.3']).toMatch(/cannot be deleted/);
    await expectRefused(() => put(created.id, base, ctx.staffToken), 403, 'forbidden');

    // Moving it, and GA down to exactly what is sold, is fine.
    const ok = await put(created.id, {
      ...base,
      ga: { ...base.ga, capacity: 5 },
      tables: base.tables.map((t, i) => (i === sold ? { ...t, x: 900, y: 40 } : t)),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().ga).toMatchObject({ capacity: 5, available: 0 });
  });

  it('a capacity cut racing buyers: never more sold than the capacity, no deadlock, every answer a clear one', async () => {
    const created = await createEvent(ctx, { ga: { price_cents: 2000, capacity: 100 } });
    const base = layoutOf(await read(created.id));
    const buyers = Array.from({ length: 30 }, (_, i) =>
      ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${created.id}/orders`,
        payload: {
          email: `race-${i}@x.test`,
          name: 'R',
          ga_quantity: 1,
          ...(i < 3 ? { table_id: created.tables[i]!.id } : {}),
        },
      }),
    );
    const cut = put(created.id, { ...base, ga: { ...base.ga, capacity: 15 } });
    const answers = await Promise.all([cut, ...buyers]);
    for (const a of answers) expect(a.statusCode, a.body).toBeLessThan(500);
    const after = await read(created.id);
    expect(after.ga.sold!).toBeLessThanOrEqual(after.ga.capacity);
    const placed = answers.slice(1).filter((a) => a.statusCode === 201).length;
    expect(after.ga.sold).toBe(placed);
    if (answers[0]!.statusCode === 200) expect(after.ga.capacity).toBe(15);
    else expect(errorCode(answers[0]!)).toBe('invalid_request'); // more than 15 were already sold when it ran
  });

  it('is refused once the event is cancelled', async () => {
    const created = await createEvent(ctx);
    const base = layoutOf(await read(created.id));
    const { confirmation_token } = (
      await ctx.app.inject({ url: `/api/v1/events/${created.id}/cancellation`, headers: bearer(ctx.ownerToken) })
    ).json();
    await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${created.id}/cancel`,
      headers: bearer(ctx.ownerToken),
      payload: { confirmation_token },
    });
    await expectRefused(() => put(created.id, base), 409, 'event_cancelled');
  });
});
