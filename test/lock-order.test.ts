import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/domain/errors.js';
import { cancelEvent } from '../src/services/events/cancel-event.service.js';
import { previewCancellation } from '../src/services/events/cancellation-preview.service.js';
import { completeDueEvents } from '../src/services/events/complete-event.service.js';
import { expireHolds } from '../src/services/orders/expire-holds.service.js';
import { onPostgres } from './support/database.js';
import { linkTicket } from './support/guests.js';
import { bearer, buyPaid, createEvent, placeOrder, startTestApp, T0, type TestContext } from './support/harness.js';

/**
 * Writers that touch the same rows must lock them in one global order (event → order → ticket →
 * reservation), or PostgreSQL breaks the cycle by killing one of them: the retry hides it, but the
 * door waits a second each time. These races count the retries; the answer must be zero.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp({ poolSize: 30 });
});
afterAll(() => ctx.close());

async function eventWithLapsedHolds(name: string) {
  const event = await createEvent(ctx, { name, ga: { price_cents: 1000, capacity: 500 } });
  await buyPaid(ctx, event.id, { table_id: event.tables[0]!.id });
  for (let i = 0; i < 5; i++) await buyPaid(ctx, event.id, { ga_quantity: 2 });
  await placeOrder(ctx, event.id, { table_id: event.tables[1]!.id });
  for (let i = 0; i < 25; i++) await placeOrder(ctx, event.id, { ga_quantity: 1 });
  return event;
}

async function cancelWhenConsistent(eventId: string): Promise<void> {
  for (;;) {
    const { confirmation_token } = await previewCancellation(ctx.deps, eventId);
    try {
      await cancelEvent(ctx.deps, eventId, confirmation_token);
      return;
    } catch (err) {
      // A sweep between preview and approval is a real change of sales: look again, as an owner would.
      if (!(err instanceof DomainError && err.code === 'confirmation_stale')) throw err;
    }
  }
}

describe.runIf(onPostgres)('lock order (PostgreSQL)', () => {
  it('the hold sweeper and an owner cancellation never deadlock', async () => {
    for (let round = 0; round < 4; round++) {
      ctx.clock.set(T0);
      const event = await eventWithLapsedHolds(`Sweep vs cancel ${round}`);
      ctx.clock.advance(600_000);
      const before = ctx.database.stats.retried;
      await Promise.all([
        expireHolds(ctx.deps, 5),
        cancelWhenConsistent(event.id),
        expireHolds(ctx.deps, 5),
        expireHolds(ctx.deps, 5),
      ]);
      while ((await expireHolds(ctx.deps)) > 0);
      expect(ctx.database.stats.retried - before).toBe(0);
      const ev = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json();
      // Paid places stay counted (they are refunded, not resold); every lapsed hold gave its place back.
      expect(ev).toMatchObject({ status: 'cancelled', ga: { sold: 11 } });
    }
  });

  it('the hold sweeper and event completion never deadlock', async () => {
    for (let round = 0; round < 4; round++) {
      ctx.clock.set(T0);
      const event = await eventWithLapsedHolds(`Sweep vs completion ${round}`);
      ctx.clock.set('2030-06-03T05:00:00Z');
      const before = ctx.database.stats.retried;
      await Promise.all([expireHolds(ctx.deps, 5), completeDueEvents(ctx.deps), expireHolds(ctx.deps, 5)]);
      // Whoever found the event locked skipped it; the next sweep (as the loop runs) finishes the job.
      while ((await expireHolds(ctx.deps)) > 0);
      await completeDueEvents(ctx.deps);
      expect(ctx.database.stats.retried - before).toBe(0);
      const ev = (await ctx.app.inject({ url: `/api/v1/events/${event.id}`, headers: bearer(ctx.ownerToken) })).json();
      expect(ev).toMatchObject({ status: 'completed', ga: { sold: 11 } });
    }
  });

  it('guests linking while the owner cancels never deadlock', async () => {
    ctx.clock.set(T0);
    const event = await createEvent(ctx, {
      name: 'Links vs cancel',
      tiers: [{ name: 'Gold', price_cents: 1000, capacity: 30 }],
      tables: [{ number: 1, tier: 'Gold', x: 0, y: 0 }],
    });
    const host = await buyPaid(ctx, event.id, { table_id: event.tables[0]!.id });
    const guests = await Promise.all(
      Array.from({ length: 20 }, (_, i) => buyPaid(ctx, event.id, { name: `Guest ${i}`, email: `g${i}@example.com` })),
    );
    const code = host.view.reservation!.invite_code;
    const before = ctx.database.stats.retried;
    const links = guests.map((g) => linkTicket(ctx, g.view.tickets[0]!.id, g.manage_token, code));
    await Promise.all([...links, cancelWhenConsistent(event.id)]);
    expect(ctx.database.stats.retried - before).toBe(0);
    const r = (
      await ctx.app.inject({
        url: `/api/v1/reservations/${host.view.reservation!.id}`,
        headers: bearer(ctx.ownerToken),
      })
    ).json();
    expect(r.status).toBe('cancelled');
  });
});
