import { randomUUID } from 'node:crypto';
import { manageTokenFor } from '../../auth/capability.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { holdGaCall, lockEventCall, toOrder } from '../../db/repos/order-flight.repo.js';
import {
  enqueueOfferMailCall,
  eventsWithFreedPlaces,
  joinLine,
  listLine,
  markOfferedCall,
  nextInLineCall,
  positionInLine,
} from '../../db/repos/waitlist.repo.js';
import { isRefused } from '../../db/repos/refused.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { salesClosedReason } from '../../domain/event-rules.js';
import { orderAmountCents } from '../../domain/money.js';
import type { AppDeps } from '../deps.js';
import { applyPayment } from '../orders/pay-order.service.js';
import { attachPayment } from '../orders/place-order.service.js';
import type { Locale } from '../../i18n/locales.js';

export interface JoinWaitlistInput {
  eventId: string;
  email: string;
  name: string;
  quantity: number;
  /** Required (true) when the event has a minimum age, as for buying: the offer is a purchase made for them. */
  ageConfirmed?: boolean | undefined;
  /** The language they read: their offer's mail (null: the event's). */
  locale?: Locale | null | undefined;
}

/**
 * `POST /events/:id/waitlist`: a place in line for a sold-out night. Only while GA is sold out
 * (every place sold or held: otherwise the places are there to buy now), and at most as many
 * tickets as one order may hold. Joining again with the same e-mail keeps the first place.
 */
export async function joinWaitlist(deps: Pick<AppDeps, 'database' | 'clock' | 'config'>, input: JoinWaitlistInput) {
  if (input.quantity > deps.config.maxTicketsPerOrder) {
    throw new DomainError('too_many_tickets', `At most ${deps.config.maxTicketsPerOrder} tickets per order`, {
      quantity: `at most ${deps.config.maxTicketsPerOrder}`,
    });
  }
  const db = deps.database.db;
  const event = await findEvent(db, input.eventId);
  if (!event) throw notFound('event');
  const closed = salesClosedReason(event, deps.clock.now());
  if (closed === 'event_cancelled') throw new DomainError('event_cancelled', 'This event was cancelled');
  if (closed === 'event_ended') throw new DomainError('event_ended', 'This event has ended');
  if (event.minAge && input.ageConfirmed !== true) {
    throw new DomainError(
      'invalid_request',
      `This event is ${event.minAge}+: confirm you are at least ${event.minAge} to wait for a ticket`,
      { age_confirmed: `required: the event is ${event.minAge}+` },
    );
  }
  const email = input.email.toLowerCase();
  if (await isRefused(db, email))
    throw new DomainError('order_refused', 'This venue does not sell to this e-mail address');
  if (event.gaSold < event.gaCapacity) {
    throw new DomainError('not_sold_out', 'There are places on sale right now: buy them instead of waiting', {
      available: event.gaCapacity - event.gaSold,
    });
  }
  const { entry, created } = await joinLine(db, {
    eventId: event.id,
    email,
    name: input.name,
    quantity: input.quantity,
    locale: input.locale ?? null,
  });
  return {
    created,
    view: {
      id: entry.id,
      event_id: entry.eventId,
      quantity: entry.quantity,
      position: await positionInLine(db, entry),
      joined_at: entry.createdAt.toISOString(),
      offer_minutes: deps.config.waitlistOfferMinutes,
    },
  };
}

type OfferDeps = Pick<AppDeps, 'database' | 'clock' | 'config' | 'keys' | 'payments' | 'metrics'>;

/**
 * Offers an event's free GA places to the people waiting, longest-waiting first. Algorithm, one
 * offer per flight transaction, repeated while offers are made:
 *  1. BEGIN; the event row's lock (the one every hold of the event takes first); then, read after
 *     it, the oldest waiting entry and the places free now (capacity − sold − held).
 *  2. Nobody waits, the night is not on sale, or the places do not fit that person's party: stop.
 *     Strictly first come: a smaller party further back does not jump the line.
 *  3. In the same transaction, a hold for them like any buyer's (the GA counter takes the places,
 *     so nobody else can buy them), lasting VELVET_WAITLIST_OFFER_MINUTES; the entry is marked
 *     offered with that order; the offer's mail is queued. COMMIT.
 * Unanswered, the hold lapses as any unpaid hold does (the sweeper), its places come free again
 * and the next pass offers them to the next person. Because offers and purchases take places
 * under the same row lock and the same conditional counter, no more is offered than is free, with
 * buyers, lapsing holds and several instances all at once.
 */
export async function offerFreedPlaces(deps: OfferDeps, eventId: string): Promise<number> {
  let offers = 0;
  for (;;) {
    const now = deps.clock.now();
    const orderId = randomUUID();
    const offered = await deps.database.flights(async (tx) => {
      const [, [next]] = await tx.send(lockEventCall(eventId), nextInLineCall(eventId));
      const onSale = next && next.event_status === 'scheduled' && new Date(next.ends_at) > now;
      if (!next?.id || !onSale || next.free < next.quantity!) {
        await tx.commit();
        return null;
      }
      const quantity = next.quantity!;
      const amountCents = orderAmountCents(next.ga_price_cents, quantity, undefined);
      const [rows, marked] = await tx.commit(
        holdGaCall({
          orderId,
          eventId,
          email: next.email!,
          name: next.name!,
          gaQuantity: quantity,
          amountCents,
          currency: next.currency,
          expiresAt: new Date(now.getTime() + deps.config.waitlistOfferMinutes * 60_000),
          manageTokenHash: manageTokenFor(deps.keys.manageKey, orderId).hash,
          paymentProvider: deps.payments.name,
          tickets: Array.from({ length: quantity }, () => ({ id: randomUUID(), holderName: next.name! })),
          // Not a client's hold: the waitlist's own, outside the per-client limits.
          clientKey: null,
          limits: deps.config.holdLimits,
          // They confirmed their age when they joined the line on the event's page.
          ageConfirmedAt: next.min_age ? now : null,
          // The offer is theirs: its mail in the language they joined the line in.
          locale: next.locale,
        }),
        markOfferedCall(next.id, orderId, now),
        enqueueOfferMailCall(orderId, next.email!),
      );
      const order = toOrder(rows);
      if (!order || marked.length === 0) throw new Error(`waitlist: the offer to ${next.id} was not written whole`);
      return order;
    });
    if (!offered) return offers;
    offers++;
    deps.metrics.orderPlaced(false);
    await startPayment(deps, offered);
  }
}

/** The payment a held offer is paid with, as a buyer's order gets (a free night is confirmed at once). */
async function startPayment(
  deps: OfferDeps,
  order: { id: string; amountCents: number; currency: string; email: string },
): Promise<void> {
  if (order.amountCents === 0) {
    await deps.database.flights((tx) => applyPayment(tx, deps, order.id, { commit: true }));
    return;
  }
  // A provider that cannot start a payment now leaves the hold without one: the order page starts
  // it when they open it, and the hold lapses on time either way.
  const payment = await deps.payments
    .createPayment({ orderId: order.id, amountCents: order.amountCents, currency: order.currency, email: order.email })
    .catch(() => null);
  if (payment) await attachPayment(deps.database, order.id, payment, deps.clock.now());
}

/** The sweeper's pass: every event where someone waits and places are free. */
export async function offerFreedPlacesEverywhere(deps: OfferDeps): Promise<number> {
  let offers = 0;
  for (const eventId of await eventsWithFreedPlaces(deps.database.db, deps.clock.now()))
    offers += await offerFreedPlaces(deps, eventId);
  return offers;
}

/** `GET /events/:id/waitlist`: the line and its offers for the owner, with what became of each offer. */
export async function readWaitlist(deps: Pick<AppDeps, 'database'>, eventId: string) {
  const db = deps.database.db;
  if (!(await findEvent(db, eventId))) throw notFound('event');
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  const STATE = { pending: 'offered', paid: 'bought', refunded: 'bought', expired: 'lapsed' } as const;
  return {
    event_id: eventId,
    entries: (await listLine(db, eventId)).map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      quantity: r.quantity,
      state: r.status === 'waiting' ? ('waiting' as const) : STATE[r.order_status!],
      joined_at: iso(r.created_at)!,
      offered_at: iso(r.offered_at),
      offer_expires_at: r.status === 'offered' ? iso(r.expires_at) : null,
      order_id: r.order_id,
    })),
  };
}
