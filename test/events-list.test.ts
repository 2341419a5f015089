import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createEvent, startTestApp, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

const list = async (headers: Record<string, string> = {}) => {
  const res = await ctx.app.inject({ url: '/api/v1/events', headers });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { events: Array<{ id: string; name: string; status: string }> }).events;
};

describe('GET /api/v1/events', () => {
  it('lists open events by start for staff and the public, every event for the owner', async () => {
    const later = await createEvent(ctx, {
      name: 'Later',
      starts_at: '2030-06-09T22:00:00.000Z',
      ends_at: '2030-06-10T05:00:00.000Z',
    });
    const sooner = await createEvent(ctx, { name: 'Sooner' });
    const cancelled = await createEvent(ctx, { name: 'Cancelled' });
    const preview = await ctx.app.inject({
      url: `/api/v1/events/${cancelled.id}/cancellation`,
      headers: bearer(ctx.ownerToken),
    });
    const cancel = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${cancelled.id}/cancel`,
      headers: bearer(ctx.ownerToken),
      payload: { confirmation_token: preview.json().confirmation_token },
    });
    expect(cancel.statusCode, cancel.body).toBe(202);

    expect((await list()).map((e) => e.name)).toEqual(['Sooner', 'Later']);
    expect((await list(bearer(ctx.staffToken))).map((e) => e.id)).toEqual([sooner.id, later.id]);
    const all = await list(bearer(ctx.ownerToken));
    expect(all.map((e) => e.name).sort()).toEqual(['Cancelled', 'Later', 'Sooner']);
    expect(all.find((e) => e.id === cancelled.id)!.status).toBe('cancelled');

    // Once over, it leaves the public list.
    ctx.clock.set(new Date('2030-06-03T06:00:00.000Z'));
    expect((await list()).map((e) => e.name)).toEqual(['Later']);
  });
});

describe("the venue's time zone", () => {
  it('rides with the event list and every event view, so pages show the night as the venue’s clock reads', async () => {
    const berlin = await startTestApp({ env: { VELVET_TIME_ZONE: 'Europe/Berlin' } });
    try {
      const event = await createEvent(berlin, { name: 'Berliner Nacht' });
      expect(event).toMatchObject({ time_zone: 'Europe/Berlin' });
      const listed = await berlin.app.inject({ url: '/api/v1/events' });
      expect(listed.json().events).toEqual([expect.objectContaining({ id: event.id, time_zone: 'Europe/Berlin' })]);
      const read = await berlin.app.inject({ url: `/api/v1/events/${event.id}` });
      expect(read.json()).toMatchObject({ time_zone: 'Europe/Berlin', starts_at: event.starts_at });
    } finally {
      await berlin.close();
    }
  });
});
