/**
 * The buying path's statements (place-order.service.ts and pay-order.service.ts say the order they
 * run in). Written once as SQL text: on PostgreSQL each is prepared once per connection, and a
 * purchase costs a few round trips instead of one per statement.
 */
import type { OrderStatus, ReservationStatus } from '../../domain/state-machine.js';
import { call, statement } from '../flights.js';
import { fromRow } from '../rows.js';
import { events, orders } from '../schema.js';
import { FLOOR_CHANNEL, tableChangedPayload } from './floor.repo.js';
import { MAILS_CHANNEL, type MailKind } from './mails.repo.js';
import type { EventRow } from './events.repo.js';
import { REFUSED_EMAIL } from './refused.repo.js';
import { ACTIVE_RESERVATION } from './reservations.repo.js';
import type { OrderRow } from './orders.repo.js';

type Raw = Record<string, unknown>;

/** Orders this e-mail ($2, any case) placed in the last $3 seconds, in database time like `created_at`. */
const RECENT_ORDERS = `(SELECT count(*)::int FROM orders
                        WHERE lower(email) = lower($2) AND created_at >= now() - make_interval(secs => $3)) AS recent_orders`;

/** What a GA order is decided on: the event ($1; null when there is none), the e-mail's recent orders, whether it is refused. */
const orderFacts = statement<Raw & { recent_orders: number; refused: boolean }>(
  'order_facts',
  `SELECT e.*, ${RECENT_ORDERS}, ${REFUSED_EMAIL}
     FROM (VALUES (1)) AS one(x) LEFT JOIN events e ON e.id = $1`,
);

export const orderFactsCall = (eventId: string, email: string, seconds: number) =>
  call(orderFacts, [eventId, email, seconds]);

export function toOrderFacts(rows: Array<Raw & { recent_orders: number; refused: boolean }>): {
  event: EventRow | null;
  recentOrders: number;
  refused: boolean;
} {
  const r = rows[0]!;
  return { event: r.id === null ? null : fromRow(events, r), recentOrders: r.recent_orders, refused: r.refused };
}

/**
 * Everything a table order is decided on, in one read: the event ($1; null when there is none), the
 * e-mail's ($2) recent orders (the rate limit), the table ($4) with its tier when it is this
 * event's, whether it is taken, whether this e-mail already holds an unpaid table, and how many
 * the client ($6) holds. Read twice:
 * without locks for the fast refusal of a taken table, then after the table row's lock, where it
 * sees everything committed before the lock was granted.
 */
const tableFacts = statement<TableFactsRow>(
  'order_table_facts',
  `SELECT e.*, ${RECENT_ORDERS}, ${REFUSED_EMAIL},
          t.number AS table_number, tr.capacity AS table_capacity, tr.price_cents AS table_price_cents,
          EXISTS (SELECT 1 FROM reservations r WHERE r.event_table_id = $4 AND r.status = ANY($5::text[])) AS taken,
          EXISTS (SELECT 1 FROM orders o WHERE o.event_id = $1 AND lower(o.email) = lower($2)
                     AND o.status = 'pending' AND o.event_table_id IS NOT NULL) AS pending,
          (SELECT count(*)::int FROM orders o WHERE o.event_id = $1 AND o.client_key = $6
              AND o.status = 'pending' AND o.event_table_id IS NOT NULL) AS client_tables
     FROM (VALUES (1)) AS one(x)
     LEFT JOIN events e ON e.id = $1
     LEFT JOIN event_tables t ON t.id = $4 AND t.event_id = $1
     LEFT JOIN tiers tr ON tr.id = t.tier_id`,
);

type TableFactsRow = Raw & {
  recent_orders: number;
  refused: boolean;
  table_number: number | null;
  table_capacity: number | null;
  table_price_cents: number | null;
  taken: boolean;
  pending: boolean;
  client_tables: number;
};

export const tableFactsCall = (
  eventId: string,
  email: string,
  seconds: number,
  tableId: string,
  clientKey: string | null,
) => call(tableFacts, [eventId, email, seconds, tableId, [...ACTIVE_RESERVATION], clientKey]);

/** Locks the table row ($2) when it is this event's ($1): a table order's first lock. */
const lockTable = statement<{ id: string }>(
  'order_lock_table',
  'SELECT id FROM event_tables WHERE id = $2 AND event_id = $1 FOR UPDATE',
);

/** Flight one of a table hold, after BEGIN: the table's lock, then everything read after it. */
export const lockAndReadTable = (
  eventId: string,
  email: string,
  seconds: number,
  tableId: string,
  clientKey: string | null,
) => [call(lockTable, [eventId, tableId]), tableFactsCall(eventId, email, seconds, tableId, clientKey)] as const;

export interface TableFacts {
  event: EventRow | null;
  recentOrders: number;
  /** The e-mail is on the venue's refused list. */
  refused: boolean;
  /** This event's table with its tier's capacity and price; null when the event has no such table. */
  table: { number: number; capacity: number; priceCents: number } | null;
  taken: boolean;
  pendingTableOrder: boolean;
  /** Unpaid tables the client holds in this event (0 when no client is known). */
  tablesHeldByClient: number;
}

export function toTableFacts(rows: TableFactsRow[]): TableFacts {
  const r = rows[0]!;
  return {
    event: r.id === null ? null : fromRow(events, r),
    recentOrders: r.recent_orders,
    refused: r.refused,
    table:
      r.table_number === null
        ? null
        : { number: r.table_number, capacity: r.table_capacity!, priceCents: r.table_price_cents! },
    taken: r.taken,
    pendingTableOrder: r.pending,
    tablesHeldByClient: r.client_tables,
  };
}

/**
 * The holds' shared parts ($2 event, $5 GA places; $11 ticket ids, $12 holder names, in order;
 * $13 the client's key, $14 the unpaid tickets a client may hold, $15 the share of what is not
 * yet paid for that one client may hold). Sent after the event row's lock (`lockEventCall`), so
 * `held` sees every hold committed before it: what the event holds unpaid, and what this client
 * does. The places are taken only while the event is on sale and has them, and (for a known
 * client) only while the client stays within its limits (`cap`, no row otherwise); then the
 * tickets of the order `o` are inserted in the order given.
 */
const takeGaPlaces = (clientCondition = 'true') => `held AS (
     SELECT coalesce(sum(ga_quantity), 0)::int AS total,
            coalesce(sum(ga_quantity) FILTER (WHERE client_key = $13), 0)::int AS mine,
            count(*) FILTER (WHERE client_key = $13 AND event_table_id IS NOT NULL)::int AS mine_tables
       FROM orders WHERE event_id = $2 AND status = 'pending'),
   cap AS (
     UPDATE events SET ga_sold = ga_sold + $5
       FROM held
      WHERE events.id = $2 AND events.status = 'scheduled' AND ga_sold + $5 <= ga_capacity
        AND ($13::text IS NULL OR (
              held.mine + $5 <= least($14::int, greatest(1, floor($15::float8 * (ga_capacity - ga_sold + held.total))::int))
              AND ${clientCondition}))
     RETURNING events.id)`;
const INSERT_TICKETS = `t AS (
     INSERT INTO tickets (id, event_id, order_id, holder_name)
     SELECT h.id, o.event_id, o.id, h.holder_name FROM o, unnest($11::uuid[], $12::text[]) WITH ORDINALITY AS h(id, holder_name, n)
      ORDER BY h.n)`;

/**
 * The event row's lock, which every hold of the event takes first (a table hold after its table's):
 * holds of one event are decided one at a time on what the ones before them committed.
 */
const lockEvent = statement<{ id: string }>('order_lock_event', 'SELECT id FROM events WHERE id = $1 FOR UPDATE');

export const lockEventCall = (eventId: string) => call(lockEvent, [eventId]);

/**
 * A GA hold in one statement, sent with the event's lock and COMMIT in one flight: the event's GA
 * places are taken, and only if they were, the order and its tickets are inserted. No row: sold
 * out, held by others, beyond the client's limits, or no longer on sale; nothing was written
 * (`holdRefusalFacts` tells which). The event row (which every order of the event updates) stays
 * locked for this one flight, no longer. Tickets come in the order of `ticketIds`.
 */
const holdGa = statement<Raw>(
  'order_hold_ga',
  `WITH ${takeGaPlaces()},
   o AS (
     INSERT INTO orders (id, event_id, email, name, ga_quantity, amount_cents, currency, expires_at, manage_token_hash, payment_provider, client_key, age_confirmed_at, locale)
     SELECT $1, cap.id, $3, $4, $5, $6, $7, $8, $9, $10, $13, $16::timestamptz, $17 FROM cap
     RETURNING *),
   ${INSERT_TICKETS}
   SELECT * FROM o`,
);

export interface GaHold {
  orderId: string;
  eventId: string;
  email: string;
  name: string;
  gaQuantity: number;
  amountCents: number;
  currency: string;
  expiresAt: Date;
  manageTokenHash: string;
  paymentProvider: OrderRow['paymentProvider'];
  tickets: Array<{ id: string; holderName: string }>;
  /** The client that placed it (client-key.ts), null when no client is known (the CLI, the demo). */
  clientKey: string | null;
  limits: { ticketsPerClient: number; share: number };
  /** When the buyer confirmed the event's minimum age (null: it has none). */
  ageConfirmedAt: Date | null;
  /** The language the order is placed in, for its mails (null: its event's). */
  locale: string | null;
}

/** $1 … $16, shared by both holds. */
const holdValues = (h: GaHold) => [
  h.orderId,
  h.eventId,
  h.email,
  h.name,
  h.gaQuantity,
  h.amountCents,
  h.currency,
  h.expiresAt.toISOString(),
  h.manageTokenHash,
  h.paymentProvider,
  h.tickets.map((t) => t.id),
  h.tickets.map((t) => t.holderName),
  h.clientKey,
  h.limits.ticketsPerClient,
  h.limits.share,
  h.ageConfirmedAt?.toISOString() ?? null,
];

export const holdGaCall = (h: GaHold) => call(holdGa, [...holdValues(h), h.locale]);

export const toOrder = (rows: Raw[]): OrderRow | null => (rows[0] ? fromRow(orders, rows[0]) : null);

/**
 * A table hold's writes in one statement, sent with COMMIT while the table row is locked (flight
 * two): the event's GA places are taken (the event row is locked last, for this statement and its
 * commit only), and only if they were, the order, its tickets, the table's reservation hosted by
 * the first ticket, the buyer's party linked as guests, and the floor plan told. No row: sold out
 * or no longer on sale, and nothing was written or announced.
 */
const holdTable = statement<Raw>(
  'order_hold_table',
  `WITH ${takeGaPlaces('held.mine_tables < $23::int')},
   o AS (
     INSERT INTO orders (id, event_id, email, name, ga_quantity, event_table_id, amount_cents, currency, expires_at, manage_token_hash, payment_provider, client_key, age_confirmed_at, locale)
     SELECT $1, cap.id, $3, $4, $5, $17, $6, $7, $8, $9, $10, $13, $16::timestamptz, $24 FROM cap
     RETURNING *),
   ${INSERT_TICKETS},
   r AS (
     INSERT INTO reservations (event_id, event_table_id, order_id, host_ticket_id, invite_code)
     SELECT o.event_id, o.event_table_id, o.id, ($11::uuid[])[1], $18 FROM o
     RETURNING id),
   g AS (
     INSERT INTO guest_links (event_id, ticket_id, reservation_id, created_at)
     SELECT o.event_id, guest.id, r.id, $20 FROM o, r, unnest($19::uuid[]) AS guest(id))
   SELECT o.*, (SELECT count(pg_notify($21, $22)) FROM r) AS announced FROM o`,
);

export interface TableHold extends GaHold {
  tableId: string;
  inviteCode: string;
  /** Tickets (after the host's) that sit at the table as guests. */
  guestTicketIds: string[];
  linkedAt: Date;
  /** Unpaid tables one client may hold in the event. */
  tablesPerClient: number;
}

export const holdTableCall = (h: TableHold) =>
  call(holdTable, [
    ...holdValues(h),
    h.tableId,
    h.inviteCode,
    h.guestTicketIds,
    h.linkedAt.toISOString(),
    FLOOR_CHANNEL,
    tableChangedPayload(h.eventId, h.tableId),
    h.tablesPerClient,
    h.locale,
  ]);

/**
 * Why a hold took nothing, read after it: the event, what is held unpaid in it (in all and by this
 * client, $2), and when the first of those holds lapses.
 */
const holdRefusalFacts = statement<Raw & HoldRefusalExtras>(
  'order_hold_refusal',
  `SELECT e.*, h.total AS held_total, h.mine AS held_mine, h.mine_tables AS held_mine_tables, h.first_lapse AS first_lapse
     FROM events e,
          LATERAL (SELECT coalesce(sum(ga_quantity), 0)::int AS total,
                          coalesce(sum(ga_quantity) FILTER (WHERE client_key = $2), 0)::int AS mine,
                          count(*) FILTER (WHERE client_key = $2 AND event_table_id IS NOT NULL)::int AS mine_tables,
                          min(expires_at) AS first_lapse
                     FROM orders WHERE event_id = e.id AND status = 'pending') h
    WHERE e.id = $1`,
);

interface HoldRefusalExtras {
  held_total: number;
  held_mine: number;
  held_mine_tables: number;
  first_lapse: Date | string | null;
}

export const holdRefusalFactsCall = (eventId: string, clientKey: string | null) =>
  call(holdRefusalFacts, [eventId, clientKey]);

export interface HoldRefusalFacts {
  event: EventRow;
  /** GA places held by unpaid orders: in all, and by this client. */
  heldTotal: number;
  heldByClient: number;
  tablesHeldByClient: number;
  /** When the first unpaid hold lapses (null: none). */
  firstLapse: Date | null;
}

export function toHoldRefusalFacts(rows: Array<Raw & HoldRefusalExtras>): HoldRefusalFacts | null {
  const r = rows[0];
  if (!r) return null;
  return {
    event: fromRow(events, r),
    heldTotal: r.held_total,
    heldByClient: r.held_mine,
    tablesHeldByClient: r.held_mine_tables,
    firstLapse: r.first_lapse === null ? null : new Date(r.first_lapse),
  };
}

/** Records the provider's payment on an order only while it is pending: no row once its hold was released. */
const attachPayment = statement<Raw>(
  'order_attach_payment',
  `UPDATE orders SET provider_payment_id = $2, provider_client_secret = $3, updated_at = now()
    WHERE id = $1 AND status = 'pending' RETURNING *`,
);

export const attachPaymentCall = (orderId: string, providerPaymentId: string, clientSecret: string | null) =>
  call(attachPayment, [orderId, providerPaymentId, clientSecret]);

// --- paying ---------------------------------------------------------------------------------

/**
 * Money for a pending order of an event that has ended releases its hold, which writes the event
 * row: then the event is locked first (event, then order: the order every writer of both uses).
 * Any other payment locks no event. $1 order, $2 now.
 */
const lockEventIfEnded = statement<{ id: string }>(
  'pay_lock_event_if_ended',
  `SELECT e.id FROM events e
    WHERE e.id = (SELECT event_id FROM orders WHERE id = $1 AND status = 'pending') AND e.ends_at <= $2
      FOR UPDATE`,
);
const lockOrder = statement<{ id: string }>('pay_lock_order', 'SELECT id FROM orders WHERE id = $1 FOR UPDATE');
const lockReservation = statement<{ id: string }>(
  'pay_lock_reservation',
  'SELECT id FROM reservations WHERE order_id = $1 FOR UPDATE',
);

/** Sent after the locks, so it reads what was committed before they were granted. */
const readForPayment = statement<Raw & PaymentReadExtras>(
  'pay_read',
  `SELECT o.*, e.ends_at AS event_ends_at,
          (SELECT json_agg(t.id ORDER BY t.created_at, t.id) FROM tickets t WHERE t.order_id = o.id) AS ticket_ids,
          r.id AS reservation_id, r.status AS reservation_status, r.event_table_id AS reservation_table_id
     FROM orders o
     JOIN events e ON e.id = o.event_id
     LEFT JOIN reservations r ON r.order_id = o.id
    WHERE o.id = $1`,
);

interface PaymentReadExtras {
  event_ends_at: Date | string;
  ticket_ids: string[] | null;
  reservation_id: string | null;
  reservation_status: ReservationStatus | null;
  reservation_table_id: string | null;
}

/** Flight one of a payment, after BEGIN: the locks in the global order, then the read. */
export const lockAndReadForPayment = (orderId: string, now: Date) =>
  [
    call(lockEventIfEnded, [orderId, now.toISOString()]),
    call(lockOrder, [orderId]),
    call(lockReservation, [orderId]),
    call(readForPayment, [orderId]),
  ] as const;

export interface PaymentRead {
  order: OrderRow;
  eventEndsAt: Date;
  ticketIds: string[];
  reservation: { id: string; status: ReservationStatus; eventTableId: string } | null;
}

export function toPaymentRead(rows: Array<Raw & PaymentReadExtras>): PaymentRead | null {
  const r = rows[0];
  if (!r) return null;
  return {
    order: fromRow(orders, r),
    eventEndsAt: new Date(r.event_ends_at),
    ticketIds: r.ticket_ids ?? [],
    reservation: r.reservation_id
      ? { id: r.reservation_id, status: r.reservation_status!, eventTableId: r.reservation_table_id! }
      : null,
  };
}

/**
 * The payment's effects on the order and its tickets in one statement: the order moves to its
 * next status, its pending tickets become valid with their signed codes, and the buyer's mail is
 * put in the outbox (once per order and kind; the mail worker is woken only for a new one).
 */
const applyPaymentEffects = statement<Raw>(
  'pay_apply',
  `WITH o AS (
     UPDATE orders SET status = $2, paid_at = $3, updated_at = now() WHERE id = $1 RETURNING *),
   t AS (
     UPDATE tickets SET status = 'valid', qr = v.qr, updated_at = now()
       FROM unnest($4::uuid[], $5::text[]) AS v(id, qr)
      WHERE tickets.id = v.id AND tickets.status = 'pending'),
   m AS (
     INSERT INTO mails (order_id, kind, recipient, message_id)
     SELECT o.id, $6, o.email, $7 FROM o
     ON CONFLICT DO NOTHING RETURNING id)
   SELECT o.*, (SELECT count(pg_notify($8, '')) FROM m) AS mails_woken FROM o`,
);

export const applyPaymentCall = (p: {
  orderId: string;
  status: OrderStatus;
  paidAt: Date;
  codes: Array<{ id: string; qr: string }>;
  mail: { kind: MailKind; messageId: string };
}) =>
  call(applyPaymentEffects, [
    p.orderId,
    p.status,
    p.paidAt.toISOString(),
    p.codes.map((c) => c.id),
    p.codes.map((c) => c.qr),
    p.mail.kind,
    p.mail.messageId,
    MAILS_CHANNEL,
  ]);

const moveReservation = statement<{ id: string }>(
  'pay_reservation_status',
  'UPDATE reservations SET status = $2, updated_at = now() WHERE id = $1 RETURNING id',
);

export const reservationStatusCall = (reservationId: string, status: ReservationStatus) =>
  call(moveReservation, [reservationId, status]);
