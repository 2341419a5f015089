import type { Locale } from '../../i18n/locales.js';
import { randomUUID } from 'node:crypto';
import { manageTokenFor, newInviteCode } from '../../auth/capability.js';
import { pgConstraint, type Database } from '../../db/database.js';
import type { FlightTx } from '../../db/flights.js';
import {
  attachPaymentCall,
  holdGaCall,
  holdRefusalFactsCall,
  holdTableCall,
  lockAndReadTable,
  lockEventCall,
  toHoldRefusalFacts,
  orderFactsCall,
  tableFactsCall,
  toOrder,
  toOrderFacts,
  toTableFacts,
  type TableFacts,
} from '../../db/repos/order-flight.repo.js';
import { findEvent, type EventRow } from '../../db/repos/events.repo.js';
import { attributePromoterCall } from '../../db/repos/promoters.repo.js';
import { findOrder, type OrderRow } from '../../db/repos/orders.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { salesClosedReason } from '../../domain/event-rules.js';
import { orderAmountCents } from '../../domain/money.js';
import type { AppDeps } from '../deps.js';
import { releaseHold } from './hold.js';
import { applyPayment } from './pay-order.service.js';

export interface PlaceOrderInput {
  eventId: string;
  email: string;
  name: string;
  gaQuantity: number;
  tableId?: string | undefined;
  /** Who holds each ticket, in order; a ticket without one carries the buyer's name. */
  holderNames?: string[] | undefined;
  /**
   * The client placing it (src/auth/client-key.ts): what one client may hold unpaid is limited
   * (Config.holdLimits). Null for callers that are no anonymous client (the CLI, the demo).
   */
  clientKey?: string | null | undefined;
  /** The buyer confirmed they are at least the event's minimum age (required when it has one). */
  ageConfirmed?: boolean | undefined;
  /** The language the buyer bought in, for the order's mails (null: the event's). */
  locale?: Locale | null | undefined;
  /** The promoter link the buyer came through (`?p=`); an unknown code attributes nothing. */
  promoterCode?: string | undefined;
}

export interface PlacedOrder {
  order: OrderRow;
  /** Shown once: only its hash is stored. */
  manageToken: string;
}

/**
 * Holds stock for a buyer until they pay: GA places always, and a table when asked for. A table
 * never comes alone: its order carries at least one GA ticket, the purchaser's own, which becomes
 * their single VIP code. Lock order: table row, then the event row (via the capacity UPDATE, last).
 */
export async function placeOrder(
  deps: Pick<AppDeps, 'database' | 'clock' | 'config' | 'payments' | 'keys' | 'metrics'>,
  input: PlaceOrderInput,
): Promise<PlacedOrder> {
  const now = deps.clock.now();
  if ((input.holderNames?.length ?? 0) > input.gaQuantity) {
    throw new DomainError('invalid_request', 'More holder names than tickets', {
      holder_names: `at most ${input.gaQuantity} (ga_quantity)`,
    });
  }
  if (input.gaQuantity > deps.config.maxTicketsPerOrder) {
    throw new DomainError('too_many_tickets', `At most ${deps.config.maxTicketsPerOrder} tickets per order`, {
      ga_quantity: `at most ${deps.config.maxTicketsPerOrder}`,
    });
  }
  const orderId = randomUUID();
  const manage = manageTokenFor(deps.keys.manageKey, orderId);
  const held =
    input.tableId === undefined
      ? await holdGa(deps, { ...input, orderId }, now, manage.hash)
      : await holdWithTable(deps, { ...input, orderId }, now, manage.hash);
  deps.metrics.orderPlaced(input.tableId !== undefined);

  // Nothing to pay (a free night, a free table): confirmed at once, no provider involved (Stripe
  // refuses a zero amount anyway).
  if (held.amountCents === 0) {
    const { order, outcome } = await deps.database.underway.flights((tx) =>
      applyPayment(tx, deps, held.id, { commit: true }),
    );
    if (outcome === 'paid') deps.metrics.orderPaid();
    return { order, manageToken: manage.token };
  }
  let payment: Awaited<ReturnType<typeof deps.payments.createPayment>>;
  try {
    payment = await deps.payments.createPayment({
      orderId: held.id,
      amountCents: held.amountCents,
      currency: held.currency,
      email: held.email,
    });
  } catch (err) {
    // No way to pay means no reason to hold the table: give the stock back at once. If even that
    // fails (the database is away too), the sweeper releases the hold when it lapses.
    await deps.database
      .transaction(async (tx) => {
        const order = await findOrder(tx, held.id, { lock: true });
        if (order) await releaseHold(tx, order);
      })
      .catch(() => {});
    // The provider's own words stay in the server's log; the buyer is told what it means for them.
    throw Object.assign(
      new DomainError(
        'payment_unavailable',
        'Payments cannot be started right now; nothing was charged and nothing is held. Try again in a moment.',
      ),
      {
        cause: err,
      },
    );
  }
  // Only the provider's failure is `payment_unavailable`: a lock timeout or a database outage
  // while recording the payment keeps its own answer (503 busy / database_unavailable, retryable).
  const order = await attachPayment(deps.database, held.id, payment, deps.clock.now());
  return { order, manageToken: manage.token };
}

/**
 * A GA-only order, a presale's every purchase, in two round trips: one read (the event and this
 * e-mail's recent orders), then one flight: BEGIN, the event row's lock, one statement that takes
 * the GA places and inserts the order and its tickets or writes nothing (holdGaCall), COMMIT. The
 * statement runs after the lock, so it counts every hold committed before it against the limits
 * (what this client may hold), and the event row stays locked for that one flight only. It gives
 * the same answers in the same order as a table order's path.
 */
async function holdGa(deps: HoldDeps, input: HoldInput, now: Date, manageTokenHash: string): Promise<OrderRow> {
  const [factRows] = await deps.database.run(orderFactsCall(input.eventId, input.email, RATE_WINDOW_SECONDS));
  const { event, recentOrders, refused } = toOrderFacts(factRows);
  if (recentOrders >= deps.config.ordersPerMinutePerEmail) throw rateLimited();
  if (refused) throw orderRefused();
  if (!event) throw notFound('event');
  const closed = salesClosedReason(event, now);
  if (closed) throw salesClosed(closed);
  requireAge(event, input);
  const hold = holdGaCall({
    orderId: input.orderId,
    eventId: event.id,
    email: input.email,
    name: input.name,
    gaQuantity: input.gaQuantity,
    amountCents: orderAmountCents(event.gaPriceCents, input.gaQuantity, undefined),
    currency: event.currency,
    expiresAt: new Date(now.getTime() + deps.config.holdSeconds * 1000),
    manageTokenHash,
    paymentProvider: deps.payments.name,
    tickets: Array.from({ length: input.gaQuantity }, (_, i) => ({
      id: randomUUID(),
      holderName: input.holderNames?.[i] ?? input.name,
    })),
    clientKey: input.clientKey ?? null,
    limits: deps.config.holdLimits,
    ageConfirmedAt: event.minAge ? now : null,
    locale: input.locale ?? null,
  });
  const [, rows] = await deps.database.underway.flights((tx) =>
    tx.commit(lockEventCall(event.id), hold, ...attribution(input)),
  );
  const order = toOrder(rows);
  if (order) return order;
  throw await holdRefusal(deps, input, now);
}

/**
 * An order with a table, in three round trips. First one unlocked read refuses a taken table at
 * once: at a table drop most buyers ask for a table already held, and without it every refusal
 * queued on the table's row lock behind the winner. Then a flight transaction: BEGIN, the table
 * row's lock and the read after it (holdTableLocked), then the event row's lock and one statement
 * that writes the hold, with COMMIT. The table row stays locked for those two round trips only.
 */
async function holdWithTable(deps: HoldDeps, input: HoldInput, now: Date, manageTokenHash: string): Promise<OrderRow> {
  const [askRows] = await deps.database.run(
    tableFactsCall(input.eventId, input.email, RATE_WINDOW_SECONDS, input.tableId!, input.clientKey ?? null),
  );
  const ask = toTableFacts(askRows);
  if (ask.recentOrders >= deps.config.ordersPerMinutePerEmail) throw rateLimited();
  if (ask.refused) throw orderRefused();
  refuseTakenTableEarly(deps, input, ask, now);
  for (;;) {
    try {
      const order = await deps.database.underway.flights((tx) =>
        holdTableLocked(tx, deps, input, now, manageTokenHash),
      );
      if (order) return order;
      throw await holdRefusal(deps, input, now);
    } catch (err) {
      const constraint = pgConstraint(err);
      // Two holds drew the same invite code (1 in 32^8): nothing was written, draw again.
      if (constraint === 'reservations_invite_code_key') continue;
      // The row lock makes this unreachable; the unique index is the last line if the lock is ever lost.
      if (constraint === 'reservations_one_active_per_table')
        throw new DomainError('table_unavailable', 'This table is already held or sold');
      if (constraint === 'orders_one_pending_table_per_email') throw pendingTableOrder();
      throw err;
    }
  }
}

/**
 * The locked part of a table hold. The checks run on what was read after the table row's lock was
 * granted, in the same order as a GA order's and the early refusal's: event, sales open, no unpaid
 * table of this e-mail's, the table is this event's, the table is free. Lock order: the table row,
 * then the event row (by the capacity UPDATE in the last statement). Null: no GA places left.
 */
async function holdTableLocked(
  tx: FlightTx,
  deps: HoldDeps,
  input: HoldInput,
  now: Date,
  manageTokenHash: string,
): Promise<OrderRow | null> {
  const [, factRows] = await tx.send(
    ...lockAndReadTable(input.eventId, input.email, RATE_WINDOW_SECONDS, input.tableId!, input.clientKey ?? null),
  );
  const facts = toTableFacts(factRows);
  const { event, table, taken } = facts;
  if (!event) throw notFound('event');
  const closed = salesClosedReason(event, now);
  if (closed) throw salesClosed(closed);
  requireAge(event, input);
  // One unpaid table per buyer per event keeps holding every table with throwaway orders out of
  // reach (a unique partial index enforces it under races too); per client the same, counted
  // again after the event's lock by the hold itself (holds of other tables do not wait for this
  // table's lock).
  if (holdsTableAlready(deps, input, facts)) throw pendingTableOrder();
  if (!table) throw notFound('table');
  if (taken) throw new DomainError('table_unavailable', `Table ${table.number} is already held or sold`);
  const tickets = Array.from({ length: input.gaQuantity }, (_, i) => ({
    id: randomUUID(),
    holderName: input.holderNames?.[i] ?? input.name,
  }));
  const [, rows] = await tx.commit(
    lockEventCall(event.id),
    holdTableCall({
      orderId: input.orderId,
      eventId: event.id,
      email: input.email,
      name: input.name,
      gaQuantity: input.gaQuantity,
      amountCents: orderAmountCents(event.gaPriceCents, input.gaQuantity, table.priceCents),
      currency: event.currency,
      expiresAt: new Date(now.getTime() + deps.config.holdSeconds * 1000),
      manageTokenHash,
      paymentProvider: deps.payments.name,
      tickets,
      tableId: input.tableId!,
      inviteCode: newInviteCode(),
      // The buyer's other tickets are their party: guests at their own table, as many as it has
      // places (capacity counts the host); any beyond that stay plain GA. The table row is locked
      // and the reservation is new, so nobody else can be on its list yet.
      guestTicketIds: tickets.slice(1, table.capacity).map((t) => t.id),
      linkedAt: now,
      clientKey: input.clientKey ?? null,
      limits: deps.config.holdLimits,
      ageConfirmedAt: event.minAge ? now : null,
      locale: input.locale ?? null,
      tablesPerClient: deps.config.holdLimits.tablesPerClient,
    }),
    ...attribution(input),
  );
  return toOrder(rows);
}

/** The promoter's attribution, in the hold's own last flight (after the order's insert), when the buyer came through a link. */
const attribution = (input: HoldInput) =>
  input.promoterCode ? [attributePromoterCall(input.orderId, input.promoterCode)] : [];

/** An event with a minimum age sells only to buyers who say they are old enough (the door checks ID). */
function requireAge(event: Pick<EventRow, 'minAge'>, input: PlaceOrderInput): void {
  if (event.minAge && input.ageConfirmed !== true) {
    throw new DomainError(
      'invalid_request',
      `This event is ${event.minAge}+: confirm you are at least ${event.minAge} to buy`,
      { age_confirmed: `required: the event is ${event.minAge}+` },
    );
  }
}

type HoldDeps = Pick<AppDeps, 'database' | 'config' | 'payments'>;
type HoldInput = PlaceOrderInput & { orderId: string };

/** Orders per e-mail are counted over this window (`ordersPerMinutePerEmail`). */
const RATE_WINDOW_SECONDS = 60;

/**
 * A listed e-mail cannot buy. Said neutrally: the buyer learns that this order cannot be placed
 * online, not that a list exists or what it says (the venue tells them in person if it wants to).
 */
const orderRefused = () =>
  new DomainError('order_refused', 'This order cannot be placed online. Please contact the venue.');

const rateLimited = () =>
  new DomainError('rate_limited', 'Too many orders for this e-mail in the last minute; wait a minute and try again');

/**
 * Why a hold took nothing, in the order a buyer can act on it: the event closed meanwhile; not
 * enough places even if every unpaid hold lapsed (`sold_out`); this client already holds its
 * share (`hold_limit`, or `pending_table_order` for a table); or the rest is in other buyers'
 * checkouts (`in_checkouts`, with when the first of them lapses), never `sold_out` while a lapse
 * could still free them.
 */
async function holdRefusal(deps: HoldDeps, input: HoldInput, now: Date): Promise<DomainError> {
  const [rows] = await deps.database.run(holdRefusalFactsCall(input.eventId, input.clientKey ?? null));
  const facts = toHoldRefusalFacts(rows);
  if (!facts) return notFound('event');
  const { event, heldTotal, heldByClient } = facts;
  const reason = salesClosedReason(event, now);
  if (reason) return salesClosed(reason);
  const notPaidFor = event.gaCapacity - event.gaSold + heldTotal;
  if (notPaidFor < input.gaQuantity) {
    return new DomainError('sold_out', `Not enough GA tickets left for ${input.gaQuantity}`, {
      available: Math.max(0, event.gaCapacity - event.gaSold),
    });
  }
  if (input.clientKey) {
    const limits = deps.config.holdLimits;
    if (input.tableId !== undefined && facts.tablesHeldByClient >= limits.tablesPerClient) return pendingTableOrder();
    const allowed = clientAllowance(limits, notPaidFor);
    if (heldByClient + input.gaQuantity > allowed) {
      return new DomainError(
        'hold_limit',
        heldByClient > 0
          ? `You already hold ${heldByClient} unpaid ticket${heldByClient === 1 ? '' : 's'} for this event: pay for them, or wait until they lapse, before holding more`
          : `At most ${allowed} ticket${allowed === 1 ? '' : 's'} can be held in one checkout right now`,
        { held: heldByClient, allowed: Math.max(0, allowed - heldByClient) },
      );
    }
  }
  const retryAfterSeconds = facts.firstLapse
    ? Math.max(1, Math.ceil((facts.firstLapse.getTime() - now.getTime()) / 1000))
    : deps.config.holdSeconds;
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new DomainError(
    'in_checkouts',
    `All remaining tickets are in other buyers' checkouts right now; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
    {
      available: Math.max(0, event.gaCapacity - event.gaSold),
      in_checkouts: heldTotal,
      retry_after_seconds: retryAfterSeconds,
    },
  );
}

/** The unpaid tickets one client may hold (the same arithmetic as the hold statement's `cap`). */
function clientAllowance(limits: HoldDeps['config']['holdLimits'], notPaidFor: number): number {
  return Math.min(limits.ticketsPerClient, Math.max(1, Math.floor(limits.share * notPaidFor)));
}

/** This e-mail, or this client, already holds as many unpaid tables as it may. */
function holdsTableAlready(deps: HoldDeps, input: HoldInput, facts: TableFacts): boolean {
  return (
    facts.pendingTableOrder ||
    (Boolean(input.clientKey) && facts.tablesHeldByClient >= deps.config.holdLimits.tablesPerClient)
  );
}

/**
 * Records the provider's payment on the order, but only while the order is still pending: the
 * provider call ran outside any transaction, and meanwhile the owner may have cancelled the event
 * or the sweeper expired the hold. Handing out a client secret for a released hold would let the
 * buyer pay for nothing (charged, then refunded as a late payment, fees lost), so they get the
 * reason instead and the intent is left unpaid.
 */
export async function attachPayment(
  database: Database,
  orderId: string,
  payment: { providerPaymentId: string; clientSecret: string | null },
  now: Date,
): Promise<OrderRow> {
  // One conditional UPDATE: it waits for a release in progress, then sees the order as it is.
  const [rows] = await database.underway.run(
    attachPaymentCall(orderId, payment.providerPaymentId, payment.clientSecret),
  );
  const order = toOrder(rows);
  if (order) return order;
  const db = database.db;
  const released = await findOrder(db, orderId);
  // Paid already (the webhook came first): nothing was released, the buyer is done.
  if (released?.status === 'paid') return released;
  const event = released && (await findEvent(db, released.eventId));
  const closed = event && salesClosedReason(event, now);
  if (closed) throw salesClosed(closed);
  throw new DomainError(
    'order_expired',
    'The hold on this order lapsed before its payment could start; place a new order',
  );
}

/**
 * At a table drop most buyers ask for a table that is already held. Telling them so needs no lock:
 * one read answers `table_unavailable` when every check before it would pass (event, sales open,
 * no unpaid table of theirs, the table is this event's) and the table is taken. Anything else
 * goes on to the locked path, which gives the same answers in the same order. Without this, every
 * refusal queued on the table's row lock behind the winner's whole transaction.
 */
function refuseTakenTableEarly(deps: HoldDeps, input: HoldInput, facts: TableFacts, now: Date): void {
  if (
    facts.event &&
    !salesClosedReason(facts.event, now) &&
    !holdsTableAlready(deps, input, facts) &&
    facts.table &&
    facts.taken
  ) {
    throw new DomainError('table_unavailable', `Table ${facts.table.number} is already held or sold`);
  }
}

const pendingTableOrder = () =>
  new DomainError(
    'pending_table_order',
    'You already hold an unpaid table for this event: pay for it, or wait until its hold lapses',
  );

const salesClosed = (reason: 'event_cancelled' | 'event_ended') =>
  new DomainError(reason, reason === 'event_cancelled' ? 'This event was cancelled' : 'This event has ended');
