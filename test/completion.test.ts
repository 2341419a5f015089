import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { completeDueEvents } from '../src/services/events/complete-event.service.js';
import { startSweeper } from '../src/services/jobs/sweeper.js';
import {
  bearer,
  buyPaid,
  createEvent,
  placeOrder,
  startTestApp,
  type EventInfo,
  type TestContext,
  floorTables,
} from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

const ENDS = '2030-06-03T05:00:00.000Z';

/** The door's check-in, reduced to its effect on the rows (the check-in use case is not this issue's). */
async function hostArrives(reservationId: string, ticketId: string, at: string) {
  await ctx.database.db.execute(
    sql`UPDATE tickets SET status = 'checked_in', checked_in_at = ${at}::timestamptz WHERE id = ${ticketId}`,
  );
  await ctx.database.db.execute(
    sql`UPDATE reservations SET status = 'checked_in', checked_in_at = ${at}::timestamptz WHERE id = ${reservationId}`,
  );
}

const eventStatus = async (id: string) =>
  (await ctx.app.inject({ url: `/api/v1/events/${id}`, headers: bearer(ctx.ownerToken) })).json() as {
    status: string;
    completed_at: string | null;
  };
const floor = (id: string) => floorTables(ctx, id);

describe('automatic completion at ends_at', () => {
  let event: EventInfo;
  let arrived: Awaited<ReturnType<typeof buyPaid>>;
  let noShow: Awaited<ReturnType<typeof buyPaid>>;
  let unpaid: Awaited<ReturnType<typeof placeOrder>>;

  beforeAll(async () => {
    event = await createEvent(ctx);
    arrived = await buyPaid(ctx, event.id, { table_id: event.tables[0]!.id, ga_quantity: 2, name: 'Came' });
    noShow = await buyPaid(ctx, event.id, { table_id: event.tables[1]!.id, ga_quantity: 1, name: 'Never Came' });
    await buyPaid(ctx, event.id, { ga_quantity: 2, name: 'GA' });
  });

  it('the sweeper completes the event at ends_at, with no manual step: arrivals completed, no-shows marked', async () => {
    const errors: string[] = [];
    ctx.clock.set('2030-06-03T01:00:00.000Z');
    await hostArrives(
      arrived.view.reservation!.id,
      arrived.view.tickets.find((t) => t.is_host)!.id,
      '2030-06-02T23:00:00Z',
    );
    // A hold placed late in the night (the event still sells until its end) and never paid.
    unpaid = await placeOrder(ctx, event.id, { table_id: event.tables[2]!.id });
    const stop = startSweeper(ctx.deps, 20, (m) => errors.push(m));
    try {
      // Holds lapse during the night, the event stays open until its end.
      ctx.clock.set('2030-06-03T04:59:59.999Z');
      await expect
        .poll(
          async () =>
            (
              await ctx.app.inject({ url: `/api/v1/orders/${unpaid.order_id}`, headers: bearer(unpaid.manage_token) })
            ).json().status,
        )
        .toBe('expired');
      expect((await eventStatus(event.id)).status).toBe('scheduled');
      // The server was down at 05:00; the sweeper catches up at 08:00 and records the real end.
      ctx.clock.set('2030-06-03T08:00:00.000Z');
      await expect.poll(async () => (await eventStatus(event.id)).status, { timeout: 5000 }).toBe('completed');
    } finally {
      await stop();
    }
    expect(errors).toEqual([]);
    expect((await eventStatus(event.id)).completed_at).toBe(ENDS);

    const reservations = await queryRows<{ order_id: string; status: string; no_show: boolean }>(
      ctx.database.db,
      sql`SELECT order_id, status, no_show FROM reservations WHERE event_id = ${event.id} ORDER BY order_id`,
    );
    expect(reservations).toEqual(
      [
        { order_id: arrived.order_id, status: 'completed', no_show: false },
        { order_id: noShow.order_id, status: 'completed', no_show: true },
        { order_id: unpaid.order_id, status: 'cancelled', no_show: false },
      ].sort((a, b) => a.order_id.localeCompare(b.order_id)),
    );
    const tables = await floor(event.id);
    expect(tables.map((t) => [t.number, t.status, t.host_arrived, t.no_show])).toEqual([
      [1, 'completed', true, false],
      [2, 'completed', false, true],
      [3, 'available', false, false],
    ]);
    const view = (
      await ctx.app.inject({ url: `/api/v1/orders/${noShow.order_id}`, headers: bearer(noShow.manage_token) })
    ).json();
    expect(view.reservation).toMatchObject({ status: 'completed', no_show: true });
  });

  it('nothing changes a completed event afterwards', async () => {
    const before = await dumpTables(ctx.database.db);
    const refusals: Array<[string, Promise<{ statusCode: number; json(): { error: { code: string } } }>, string]> = [
      [
        'new order',
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/events/${event.id}/orders`,
          payload: { email: 'a@b.co', name: 'A', ga_quantity: 1 },
        }),
        'event_ended',
      ],
      [
        'reschedule',
        ctx.app.inject({
          method: 'PATCH',
          url: `/api/v1/events/${event.id}`,
          headers: bearer(ctx.ownerToken),
          payload: { name: 'Again' },
        }),
        'event_ended',
      ],
      [
        'cancel preview',
        ctx.app.inject({ url: `/api/v1/events/${event.id}/cancellation`, headers: bearer(ctx.ownerToken) }),
        'event_started',
      ],
      [
        'cancel',
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/events/${event.id}/cancel`,
          headers: bearer(ctx.ownerToken),
          payload: { confirmation_token: 'x' },
        }),
        'event_started',
      ],
      [
        'customer cancel',
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/orders/${arrived.order_id}/cancel`,
          headers: bearer(arrived.manage_token),
        }),
        'sales_final',
      ],
      [
        'late local payment',
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/orders/${unpaid.order_id}/pay-local`,
          headers: bearer(unpaid.manage_token),
        }),
        'event_ended',
      ],
    ];
    for (const [what, pending, code] of refusals) {
      const res = await pending;
      expect(res.statusCode, what).toBe(409);
      expect(res.json().error.code, what).toBe(code);
    }
    // Ending it again answers the same.
    const end = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/end`,
      headers: bearer(ctx.ownerToken),
    });
    expect(end.statusCode).toBe(200);
    expect(end.json()).toMatchObject({ status: 'completed', completed_at: ENDS });
    expect(await dumpTables(ctx.database.db)).toEqual(before);
    // And the database itself refuses to move a completed reservation or event anywhere.
    for (const stmt of [
      sql`UPDATE reservations SET status = 'checked_in', no_show = false WHERE order_id = ${noShow.order_id}`,
      sql`UPDATE reservations SET status = 'cancelled' WHERE order_id = ${arrived.order_id}`,
      sql`UPDATE events SET status = 'cancelled' WHERE id = ${event.id}`,
    ]) {
      await expect(ctx.database.db.execute(stmt)).rejects.toThrow();
    }
  });
});

describe('completion sweep', () => {
  it('one event that cannot be completed does not hold back the others', async () => {
    ctx.clock.set('2030-06-01T12:00:00.000Z');
    const good = await createEvent(ctx, { name: 'Good Night' });
    const stuck = await createEvent(ctx, { name: 'Stuck Night' });
    // A fault in the database for one event only (a stand-in for any bug or bad row).
    await ctx.database.db.execute(
      sql.raw(`
      CREATE FUNCTION test_refuse_stuck() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'Stuck Night' THEN RAISE EXCEPTION 'stuck'; END IF; RETURN NEW; END $$`),
    );
    await ctx.database.db.execute(
      sql.raw(
        `CREATE TRIGGER test_refuse_stuck BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION test_refuse_stuck()`,
      ),
    );
    ctx.clock.set('2030-06-03T06:00:00.000Z');
    try {
      const failed: string[] = [];
      expect(await completeDueEvents(ctx.deps, { onError: (id) => failed.push(id) })).toBeGreaterThanOrEqual(1);
      expect(failed).toEqual([stuck.id]);
      expect((await eventStatus(good.id)).status).toBe('completed');
      expect((await eventStatus(stuck.id)).status).toBe('scheduled');
    } finally {
      await ctx.database.db.execute(sql.raw(`DROP TRIGGER test_refuse_stuck ON events`));
      await ctx.database.db.execute(sql.raw(`DROP FUNCTION test_refuse_stuck()`));
    }
    expect(await completeDueEvents(ctx.deps)).toBe(1);
    expect((await eventStatus(stuck.id)).completed_at).toBe(ENDS);
  });
});

describe('POST /events/:id/end', () => {
  it('the owner ends a started event early; refused before the start and for staff', async () => {
    ctx.clock.set('2030-06-01T12:00:00.000Z');
    const event = await createEvent(ctx);
    const host = await buyPaid(ctx, event.id, { table_id: event.tables[0]!.id });
    const end = () =>
      ctx.app.inject({ method: 'POST', url: `/api/v1/events/${event.id}/end`, headers: bearer(ctx.ownerToken) });

    const early = await end();
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('event_not_started');
    expect(
      (await ctx.app.inject({ method: 'POST', url: `/api/v1/events/${event.id}/end`, headers: bearer(ctx.staffToken) }))
        .statusCode,
    ).toBe(403);

    ctx.clock.set('2030-06-03T02:00:00.000Z');
    const res = await end();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', completed_at: '2030-06-03T02:00:00.000Z' });
    const view = (
      await ctx.app.inject({ url: `/api/v1/orders/${host.order_id}`, headers: bearer(host.manage_token) })
    ).json();
    expect(view.reservation).toMatchObject({ status: 'completed', no_show: true });
  });

  it('a cancelled event cannot be ended', async () => {
    ctx.clock.set('2030-06-01T12:00:00.000Z');
    const event = await createEvent(ctx);
    const { confirmation_token } = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/cancellation`, headers: bearer(ctx.ownerToken) })
    ).json();
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: `/api/v1/events/${event.id}/cancel`,
          headers: bearer(ctx.ownerToken),
          payload: { confirmation_token },
        })
      ).statusCode,
    ).toBe(202);
    ctx.clock.set(ENDS);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/end`,
      headers: bearer(ctx.ownerToken),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('event_cancelled');
    // Nor does the sweeper touch it.
    expect((await eventStatus(event.id)).status).toBe('cancelled');
  });
});
