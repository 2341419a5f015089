import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buyPaid,
  createEvent,
  placeOrder,
  startTestApp,
  type EventInfo,
  type TestContext,
} from './support/harness.js';
import { SseReader } from './support/sse.js';

let ctx: TestContext;
let base: string;
let event: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  event = await createEvent(ctx, { ga: { price_cents: 2000, capacity: 50 } });
});
afterAll(() => ctx.close());

type Availability = {
  event_id: string;
  event_status: string;
  ga_available: number;
  tables: Array<{ id: string; status: string }>;
};

describe("the buyer's view of the tables", () => {
  it('says, to anyone, which tables are available, held or sold and how many GA places are left, and nothing about who', async () => {
    await placeOrder(ctx, event.id, { table_id: event.tables[0]!.id, ga_quantity: 2 });
    await buyPaid(ctx, event.id, { table_id: event.tables[1]!.id, ga_quantity: 1 });
    const res = await ctx.app.inject({ url: `/api/v1/events/${event.id}/availability` });
    expect(res.statusCode, res.body).toBe(200);
    const a: Availability = res.json();
    expect(a).toEqual({
      event_id: event.id,
      event_status: 'scheduled',
      ga_available: 47,
      tables: [
        { id: event.tables[0]!.id, status: 'held' },
        { id: event.tables[1]!.id, status: 'sold' },
        { id: event.tables[2]!.id, status: 'available' },
      ],
    });
    expect(
      (await ctx.app.inject({ url: '/api/v1/events/00000000-0000-4000-8000-000000000000/availability' })).statusCode,
    ).toBe(404);
  });

  it('streams each change to anyone watching, live, and the event status when it is cancelled', async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/events/${event.id}/availability/stream`, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const stream = new SseReader(res);
    try {
      const snapshot = await stream.next();
      expect(snapshot.event).toBe('snapshot');
      expect((snapshot.data as Availability).tables.find((t) => t.id === event.tables[2]!.id)?.status).toBe(
        'available',
      );

      await placeOrder(ctx, event.id, { table_id: event.tables[2]!.id });
      expect(await stream.next()).toEqual({ event: 'table', data: { id: event.tables[2]!.id, status: 'held' } });

      const preview = (
        await ctx.app.inject({ url: `/api/v1/events/${event.id}/cancellation`, headers: bearer(ctx.ownerToken) })
      ).json();
      await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/cancel`,
        headers: bearer(ctx.ownerToken),
        payload: { confirmation_token: preview.confirmation_token },
      });
      const seen: Array<{ event: string; data: unknown }> = [];
      while (!seen.some((m) => m.event === 'event')) seen.push(await stream.next());
      expect(seen.find((m) => m.event === 'event')?.data).toEqual({ id: event.id, status: 'cancelled' });
      // Every table is free again, and only ids and statuses travel.
      for (const m of seen.filter((x) => x.event === 'table'))
        expect(Object.keys(m.data as object).sort()).toEqual(['id', 'status']);
    } finally {
      abort.abort();
    }
  });
});
