import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import type { MailTransport, OutgoingMail } from '../src/mail/transport.js';
import { processDueMails } from '../src/services/mail/mail-worker.service.js';
import { expireHolds } from '../src/services/orders/expire-holds.service.js';
import { offerFreedPlaces, offerFreedPlacesEverywhere } from '../src/services/waitlist/waitlist.service.js';
import { errorCode } from './support/guests.js';
import {
  bearer,
  buyPaid,
  createEvent,
  placeOrder,
  startTestApp,
  T0,
  type EventInfo,
  type TestContext,
} from './support/harness.js';

let ctx: TestContext;
let event: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

const minutes = (n: number) => ctx.clock.set(new Date(ctx.clock.now().getTime() + n * 60_000));

async function soldOutEvent(capacity = 4) {
  ctx.clock.set(T0);
  event = await createEvent(ctx, { ga: { price_cents: 2000, capacity } });
  return event;
}

const join = (who: string, quantity: number, eventId = event.id) =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/waitlist`,
    payload: { email: `${who}@example.com`, name: who, quantity },
  });

const line = async () => {
  const res = await ctx.app.inject({ url: `/api/v1/events/${event.id}/waitlist`, headers: bearer(ctx.ownerToken) });
  expect(res.statusCode, res.body).toBe(200);
  return (
    res.json() as {
      entries: Array<{
        name: string;
        state: string;
        quantity: number;
        order_id: string | null;
        offer_expires_at: string | null;
      }>;
    }
  ).entries;
};
const states = async () => (await line()).map((e) => `${e.name}:${e.state}`);

const counter = async () => {
  const [row] = await queryRows<{ ga_sold: number; ga_capacity: number; held: number }>(
    ctx.database.db,
    sql`SELECT ga_sold, ga_capacity, (SELECT coalesce(sum(ga_quantity), 0)::int FROM orders WHERE event_id = ${event.id} AND status IN ('pending', 'paid')) AS held FROM events WHERE id = ${event.id}`,
  );
  return row!;
};

async function sentMails(): Promise<OutgoingMail[]> {
  const sent: OutgoingMail[] = [];
  const transport: MailTransport = { destination: 'memory', send: async (m) => void sent.push(m), close: () => {} };
  while ((await processDueMails(ctx.deps, { transport, timeZone: 'UTC' })) > 0);
  return sent;
}

const offerMails = async () => (await sentMails()).filter((m) => m.subject.startsWith('Places came free'));

describe('waitlist', () => {
  it("offers in the language each person joined the line in: the page's, else their Accept-Language", async () => {
    await soldOutEvent(2);
    const placed = await placeOrder(ctx, event.id, { ga_quantity: 2 });
    const joined = [
      await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/waitlist`,
        payload: { email: 'dora@example.com', name: 'Dora', quantity: 1, locale: 'de' },
      }),
      await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/waitlist`,
        headers: { 'accept-language': 'fr-FR,fr;q=0.9' },
        payload: { email: 'fleur@example.com', name: 'Fleur', quantity: 1 },
      }),
    ];
    expect(joined.map((r) => r.statusCode)).toEqual([201, 201]);
    // The unpaid hold lapses: both places come free, one for each.
    minutes(11);
    await expireHolds(ctx.deps);
    expect(await offerFreedPlaces(ctx.deps, event.id)).toBe(2);
    const mails = await sentMails();
    expect(mails.find((m) => m.to === 'dora@example.com')!.subject).toBe(
      'Plätze frei geworden: 1 Ticket für Friday Night, für dich reserviert',
    );
    const fleur = mails.find((m) => m.to === 'fleur@example.com')!;
    expect(fleur.subject).toBe('Des places se sont libérées : 1 billet pour Friday Night, réservé pour vous');
    expect(fleur.text).toContain('Bonjour Fleur,');
    expect(placed.order_id).toBeTruthy();
  });

  it('opens only when GA is sold out, keeps one place per e-mail, and refuses what a buyer could not buy', async () => {
    await soldOutEvent();
    expect(errorCode(await join('early', 1))).toBe('not_sold_out');
    await buyPaid(ctx, event.id, { ga_quantity: 2 });
    await placeOrder(ctx, event.id, { ga_quantity: 2 });
    const ana = await join('ana', 2);
    expect(ana.statusCode, ana.body).toBe(201);
    expect(ana.json()).toMatchObject({ position: 1, quantity: 2 });
    expect((await join('ben', 1)).json()).toMatchObject({ position: 2 });
    const again = await join('ana', 3);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: ana.json().id, position: 1, quantity: 2 });
    expect(errorCode(await join('greedy', 50))).toBe('too_many_tickets');
    expect(errorCode(await join('bad', 0))).toBe('invalid_request');
    const listed = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/refused',
      headers: bearer(ctx.ownerToken),
      payload: { email: 'banned@example.com', reason: 'Fight' },
    });
    expect(listed.statusCode).toBe(201);
    expect(errorCode(await join('banned', 1))).toBe('order_refused');
    expect(await states()).toEqual(['ana:waiting', 'ben:waiting']);

    // An 18+ night: the offer is a purchase made for them, so they confirm their age when joining.
    const adults = await createEvent(ctx, { ga: { price_cents: 2000, capacity: 1 }, min_age: 18 });
    await buyPaid(ctx, adults.id, { age_confirmed: true });
    expect(errorCode(await join('young', 1, adults.id))).toBe('invalid_request');
    const confirmed = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${adults.id}/waitlist`,
      payload: { email: 'adult@example.com', name: 'Adult', quantity: 1, age_confirmed: true },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
  });

  it('a lapsed hold is offered to the longest-waiting person, held for them alone; unanswered, it passes to the next', async () => {
    await soldOutEvent();
    await buyPaid(ctx, event.id, { ga_quantity: 2 });
    await placeOrder(ctx, event.id, { ga_quantity: 2 });
    await join('ana', 2);
    await join('ben', 1);
    await join('cem', 1);

    // Nothing is free yet: nobody is offered anything.
    expect(await offerFreedPlaces(ctx.deps, event.id)).toBe(0);
    minutes(11);
    expect(await expireHolds(ctx.deps)).toBeGreaterThanOrEqual(1);
    expect(await offerFreedPlaces(ctx.deps, event.id)).toBe(1);
    expect(await states()).toEqual(['ana:offered', 'ben:waiting', 'cem:waiting']);
    // The places are held: a buyer finds the night sold out, nobody else is offered them.
    expect(await counter()).toMatchObject({ ga_sold: 4, held: 4 });
    const buyer = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/orders`,
      payload: { email: 'late@example.com', name: 'Late', ga_quantity: 1 },
    });
    expect(errorCode(buyer)).toBe('in_checkouts');
    const offer = (await line())[0]!;
    expect(Date.parse(offer.offer_expires_at!) - ctx.clock.now().getTime()).toBe(30 * 60_000);

    // Ana's mail: the order page, where paying buys the places held for her.
    const [mail] = await offerMails();
    expect(mail).toMatchObject({
      to: 'ana@example.com',
      subject: 'Places came free: 2 tickets for Friday Night, held for you',
    });
    expect(mail!.text).toContain(`/orders/${offer.order_id}#token=`);

    // Ana does not answer: after 30 minutes her hold lapses and the places pass on, in order.
    minutes(31);
    expect(await expireHolds(ctx.deps)).toBeGreaterThanOrEqual(1);
    expect(await offerFreedPlaces(ctx.deps, event.id)).toBe(2);
    expect(await states()).toEqual(['ana:lapsed', 'ben:offered', 'cem:offered']);
    expect(await counter()).toMatchObject({ ga_sold: 4, held: 4 });

    // Ben pays through his link: bought.
    const ben = (await line()).find((e) => e.name === 'ben')!;
    const [{ token }] = [
      { token: (await offerMails()).find((m) => m.to === 'ben@example.com')!.text.match(/#token=([\w-]+)/)![1]! },
    ];
    const paid = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${ben.order_id}/pay-local`,
      headers: bearer(token),
    });
    expect(paid.statusCode, paid.body).toBe(200);
    expect(await states()).toEqual(['ana:lapsed', 'ben:bought', 'cem:offered']);
  });

  it('strictly first come: a party that does not fit waits, and nobody behind it jumps the line', async () => {
    await soldOutEvent();
    const paid = await buyPaid(ctx, event.id, { ga_quantity: 1 });
    await buyPaid(ctx, event.id, { ga_quantity: 3 });
    await join('big', 3);
    await join('small', 1);
    // The owner refunds one ticket's order: one place back on sale, but the party of three is first.
    const refund = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${paid.order_id}/refund`,
      headers: bearer(ctx.ownerToken),
      payload: { amount_cents: 2000 },
    });
    expect(refund.statusCode, refund.body).toBe(202);
    expect(await counter()).toMatchObject({ ga_sold: 3 });
    expect(await offerFreedPlaces(ctx.deps, event.id)).toBe(0);
    expect(await states()).toEqual(['big:waiting', 'small:waiting']);
    // The owner raises the capacity by two: now the party of three fits, then the single one does not.
    const layout = await ctx.app.inject({
      method: 'PUT',
      url: `/api/v1/events/${event.id}/layout`,
      headers: bearer(ctx.ownerToken),
      payload: {
        ga: { price_cents: 2000, capacity: 6 },
        tiers: event.tiers.map((t) => ({
          id: t.id,
          name: t.name,
          price_cents: t.name === 'Gold' ? 50000 : 20000,
          capacity: t.name === 'Gold' ? 8 : 4,
        })),
        tables: event.tables.map((t) => ({ id: t.id, number: t.number, tier: t.tier, x: 10 * t.number, y: 10 })),
      },
    });
    expect(layout.statusCode, layout.body).toBe(200);
    expect(await offerFreedPlaces(ctx.deps, event.id)).toBe(1);
    expect(await states()).toEqual(['big:offered', 'small:waiting']);
    expect(await counter()).toMatchObject({ ga_sold: 6, ga_capacity: 6 });
  });

  it('never offers more than is free: buyers, lapsing holds and offer passes racing on one event', async () => {
    await soldOutEvent(30);
    for (let i = 0; i < 6; i++) await placeOrder(ctx, event.id, { ga_quantity: 5 });
    for (let i = 0; i < 12; i++) await join(`w${i}`, 1 + (i % 3));
    minutes(11);
    // The holds lapse while buyers try to buy and several offer passes (as several instances) run.
    await Promise.all([
      expireHolds(ctx.deps),
      ...Array.from({ length: 4 }, () => offerFreedPlacesEverywhere(ctx.deps)),
      ...Array.from({ length: 8 }, (_, i) =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/events/${event.id}/orders`,
          payload: { email: `racer${i}@example.com`, name: 'Racer', ga_quantity: 2 },
          remoteAddress: `10.8.${i}.1`,
        }),
      ),
    ]);
    await offerFreedPlacesEverywhere(ctx.deps);
    const c = await counter();
    expect(c.ga_sold).toBeLessThanOrEqual(30);
    // The counter is exactly what the live orders hold: nothing offered twice, nothing lost.
    expect(c.held).toBe(c.ga_sold);
    const entries = await line();
    const offered = entries.filter((e) => e.state === 'offered');
    expect(new Set(offered.map((e) => e.order_id)).size).toBe(offered.length);
    // In order: every offered person joined before everyone still waiting whose party would have fit.
    const free = c.ga_capacity - c.ga_sold;
    const waiting = entries.filter((e) => e.state === 'waiting');
    if (waiting.length) expect(waiting[0]!.quantity).toBeGreaterThan(free);
  });
});
