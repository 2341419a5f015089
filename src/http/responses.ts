import { z } from 'zod';
import { rejectReasons, scanResults } from '../domain/check-in.js';
import { errorSchema, locale } from './schemas.js';

/**
 * What each endpoint answers, as documented in the OpenAPI document (`/api/v1/openapi.json`).
 * These schemas describe; they do not serialize (a response is sent as it is built): the contract
 * test (`test/openapi-contract.test.ts`) checks real answers against them, so they stay true.
 */

const instant = z.iso.datetime({ offset: true });
/** The venue's IANA time zone (VELVET_TIME_ZONE): the pages show the night's times in it, as its mails do. */
const timeZone = z
  .string()
  .describe(
    "The venue's IANA time zone (VELVET_TIME_ZONE), such as Europe/Berlin: the pages and mails show the night's times in it",
  );
const uuid = z.guid();
const ticketKind = z.enum(['ga', 'vip_host', 'vip_guest']);
const eventStatus = z.enum(['scheduled', 'cancelled', 'completed']);

export const loginResponse = z.object({ token: z.string(), role: z.enum(['owner', 'staff']), expires_at: instant });

export const eventView = z.object({
  id: uuid,
  name: z.string(),
  starts_at: instant,
  ends_at: instant,
  time_zone: timeZone,
  currency: z.string(),
  status: eventStatus,
  venue_name: z.string(),
  venue_address: z.string(),
  description: z.string(),
  min_age: z
    .literal([18, 21])
    .nullable()
    .describe(
      '18 or 21: buyers confirm they are at least this old when ordering, and the door checks ID; null: no minimum',
    ),
  locale: locale.describe(
    "The language of the event's mails (an order placed without one) and its public page by default",
  ),
  cover_url: z
    .string()
    .nullable()
    .describe(
      'The cover image (WebP, at most 1600 x 1600); its version is in the address, so it may be cached for good',
    ),
  ga: z.object({
    price_cents: z.int(),
    capacity: z.int(),
    available: z.int(),
    max_per_order: z.int().describe('The most GA tickets one order may hold'),
    sold: z.int().optional(),
  }),
  tiers: z.array(
    z.object({
      id: uuid,
      name: z.string(),
      price_cents: z.int(),
      capacity: z.int(),
      min_spend_cents: z.int().nullable(),
    }),
  ),
  tables: z.array(
    z.object({ id: uuid, number: z.int(), tier: z.string(), tier_id: uuid, x: z.number(), y: z.number() }),
  ),
  cancelled_at: instant.nullable().optional().describe('owner and staff only'),
  completed_at: instant.nullable().optional().describe('owner and staff only'),
});

export const eventList = z.object({
  events: z.array(
    z.object({
      id: uuid,
      name: z.string(),
      starts_at: instant,
      ends_at: instant,
      time_zone: timeZone,
      status: eventStatus,
      currency: z.string(),
    }),
  ),
});

export const floorTable = z.object({
  id: uuid,
  number: z.int(),
  tier: z.string(),
  capacity: z.int(),
  x: z.number(),
  y: z.number(),
  status: z.enum(['available', 'held', 'reserved', 'arrived', 'completed']),
  reservation_id: uuid.nullable(),
  no_show: z.boolean(),
  guests_linked: z.int(),
  guests_arrived: z.int(),
  host_arrived: z.boolean(),
});

export const floorPlan = z.object({ event_id: uuid, event_status: eventStatus, tables: z.array(floorTable) });

export const eventSummary = z.object({
  event_id: uuid,
  currency: z.string(),
  sales: z.object({
    ga_sold: z.int(),
    ga_capacity: z.int(),
    orders_paid: z.int(),
    revenue_cents: z.int(),
    refunded_cents: z.int(),
    tables_sold: z.int(),
    tables_total: z.int(),
  }),
  door: z.object({
    admitted: z.int(),
    by_door: z.array(z.object({ scanner_id: z.string(), admitted: z.int() })),
    over_time: z.array(z.object({ at: instant, admitted: z.int() })),
  }),
  overrides: z.array(z.object({ at: instant, by: z.string(), guest_name: z.string(), table_number: z.int() })),
});

export const availability = z.object({
  event_id: uuid,
  event_status: eventStatus,
  ga_available: z.int(),
  tables: z.array(z.object({ id: uuid, status: z.enum(['available', 'held', 'sold']) })),
});

export const reservationView = z.object({
  id: uuid,
  event_id: uuid,
  status: z.enum(['pending', 'confirmed', 'checked_in', 'completed', 'cancelled']),
  no_show: z.boolean(),
  table_id: uuid,
  table_number: z.int(),
  tier: z.string(),
  capacity: z.int(),
  host_name: z.string(),
  host_arrived: z.boolean(),
  invite_code: z.string(),
  invite_url: z.string(),
  guests_may_transfer: z.boolean().describe('the host lets linked guests pass their place on with their ticket'),
  guests: z.array(z.object({ ticket_id: uuid, name: z.string(), arrived: z.boolean() })),
});

const paymentView = z.union([
  z.object({ provider: z.literal('local'), test_mode: z.literal(true), pay_url: z.string() }),
  z.object({
    provider: z.literal('stripe'),
    payment_intent_id: z.string().nullable(),
    client_secret: z.string().nullable(),
  }),
]);

export const placedOrder = z.object({
  order_id: uuid,
  status: z
    .enum(['pending', 'paid', 'expired', 'refunded'])
    .describe('pending until paid; paid at once when there is nothing to pay'),
  amount_cents: z.int(),
  currency: z.string(),
  expires_at: instant,
  manage_token: z.string().describe('shown once: keep it, it is the only way to the order'),
  manage_url: z.string(),
  payment: paymentView,
});

export const transferView = z.object({
  ticket_id: uuid,
  generation: z.int().min(1).describe('the code generation the transfer made (earlier codes are refused at the door)'),
  from_name: z.string(),
  from_email: z.string(),
  to_name: z.string(),
  to_email: z.string(),
  table_link: z
    .enum(['kept', 'dropped'])
    .nullable()
    .describe("what became of a linked guest's place (null: it had none)"),
  transferred_at: instant,
});

/** A ticket as whoever holds it sees it (after a transfer: the new holder, through their own link). */
export const heldTicketView = z.object({
  id: uuid,
  event_id: uuid,
  status: z.enum(['pending', 'valid', 'checked_in', 'void']),
  qr: z.string().nullable(),
  holder_name: z.string(),
  linked_reservation_id: uuid.nullable(),
  table: z.object({ table_number: z.int(), tier: z.string(), host_name: z.string() }).nullable(),
  is_host: z.boolean(),
});

export const orderView = z.object({
  order_id: uuid,
  event_id: uuid,
  status: z.enum(['pending', 'paid', 'expired', 'refunded']),
  amount_cents: z.int(),
  refunded_cents: z.int(),
  currency: z.string(),
  expires_at: instant,
  paid_at: instant.nullable(),
  age_confirmed_at: instant.nullable(),
  refund_reason: z.enum(['event_cancelled', 'late_payment', 'owner_refund']).nullable(),
  payment: paymentView,
  tickets: z.array(
    z.object({
      id: uuid,
      status: z.enum(['pending', 'valid', 'checked_in', 'void']),
      qr: z.string().nullable(),
      holder_name: z.string(),
      linked_reservation_id: uuid.nullable(),
      is_host: z.boolean(),
      transferred: z.boolean().describe('sent to someone else: its code and its use are theirs now (qr is null here)'),
    }),
  ),
  reservation: reservationView.optional(),
  refund: z
    .object({
      status: z.string(),
      amount_cents: z.int(),
      reason: z.string(),
      provider_refund_id: z.string().optional(),
    })
    .optional(),
});

export const inviteView = z.object({
  invite_code: z.string(),
  event_id: uuid,
  event_name: z.string(),
  starts_at: instant,
  time_zone: timeZone,
  event_status: eventStatus,
  table_number: z.int(),
  tier: z.string(),
  host_first_name: z.string(),
  guest_places: z.int(),
  guests_linked: z.int(),
  reservation_status: z.enum(['pending', 'confirmed', 'checked_in', 'completed', 'cancelled']),
  closed_reason: z.enum(['event_cancelled', 'event_ended', 'reservation_not_active', 'guest_list_locked']).nullable(),
});

export const linked = z.object({
  reservation_id: uuid,
  table_number: z.int(),
  tier: z.string(),
  ticket_id: uuid,
  linked_at: instant,
  override_capacity: z.boolean(),
  guests_linked: z.int(),
  guest_places: z.int(),
});

export const unlinked = z.object({
  ticket_id: uuid,
  reservation_id: uuid,
  linked_reservation_id: z.null(),
  unlinked_at: instant,
  unlinked_by: z.string(),
});

const conflicts = z.enum([
  ...rejectReasons,
  'turned_away_but_valid',
  'scanned_in_future',
  'scanned_at_invalid',
  'idempotency_key_reused',
]);

export const scanResponse = z.object({
  result: z.enum(scanResults),
  reason: z
    .string()
    .optional()
    .describe(
      `for rejected: ${rejectReasons.join(', ')}; offline also turned_away_offline, scanned_in_future, scanned_at_invalid, idempotency_key_reused`,
    ),
  message: z.string(),
  already_checked_in: z.boolean(),
  first_checked_in_at: instant.optional(),
  first_scanner_id: z.string().optional(),
  warning: z
    .object({ code: z.string(), message: z.string(), scanner_id: z.string(), seconds_apart: z.number() })
    .optional(),
  ticket: z.object({ id: uuid, holder_name: z.string(), kind: ticketKind }).nullable(),
  vip: z
    .object({
      reservation_id: uuid,
      table_number: z.int(),
      tier: z.string(),
      role: z.enum(['host', 'guest']),
      host_name: z.string(),
      guests: z
        .array(z.object({ ticket_id: uuid.optional(), name: z.string(), arrived: z.boolean() }))
        .describe("The table's guest list: staff admit the guests standing there by ticket_id"),
    })
    .optional(),
  id_check: z.int().optional().describe("The event's minimum age, on every admission: check ID"),
  refusal: z.string().optional().describe("reason refused: why the venue's refused list holds this person (for staff)"),
  scanner_id: z.string(),
  scanned_at: instant,
  offline: z.literal(true).optional(),
  offline_result: z.enum(scanResults).optional(),
  conflict: conflicts.optional(),
  displaced_entry: z.object({ scanner_id: z.string(), scanned_at: instant }).optional(),
});

export const batchResponse = z.object({
  results: z.array(scanResponse.extend({ index: z.int(), replayed: z.boolean() })),
  conflicts: z.int(),
});

export const scannerCache = z.object({
  event: z.object({
    id: uuid,
    name: z.string(),
    status: eventStatus,
    starts_at: instant,
    ends_at: instant,
    min_age: z.int().nullable().optional(),
  }),
  public_key: z.string().describe('Ed25519, raw 32 bytes, base64url'),
  generated_at: instant,
  full: z.boolean(),
  since: instant.optional(),
  reentry_warning_seconds: z.int(),
  tickets: z.array(
    z.object({
      id: uuid,
      holder_name: z.string(),
      kind: ticketKind,
      status: z.enum(['pending', 'valid', 'checked_in', 'void']),
      checked_in_at: instant.optional(),
      first_scanner_id: z.string().optional(),
      email: z.string().optional().describe("The buyer's e-mail, to find a guest by"),
      refused: z.string().optional().describe("On the venue's refused list: the reason (the door refuses the ticket)"),
      code_generation: z
        .int()
        .min(1)
        .optional()
        .describe('a transferred ticket: its current code generation (earlier codes are refused as `transferred`)'),
      reservation: z
        .object({
          id: uuid,
          status: z.enum(['pending', 'confirmed', 'checked_in', 'completed', 'cancelled']),
          role: z.enum(['host', 'guest']),
          table_id: uuid,
          table_number: z.int(),
          tier: z.string(),
          host_name: z.string(),
        })
        .optional(),
    }),
  ),
});

export const cancellationPreview = z.object({
  event_id: uuid,
  refund_total_cents: z.int(),
  currency: z.string(),
  orders: z.int(),
  tickets: z.int(),
  reservations: z.int(),
  holds: z.int(),
  confirmation_token: z.string(),
});

export const cancelOutcome = z.object({
  status: z.literal('cancelled'),
  event_id: uuid,
  cancelled_at: instant,
  refunds: z.object({ total: z.int(), pending: z.int(), succeeded: z.int(), failed: z.int(), total_cents: z.int() }),
});

export const refundsView = z.object({
  event_id: uuid,
  total: z.int(),
  succeeded: z.int(),
  failed: z.int(),
  pending: z.int(),
  refunded_cents: z.int(),
  items: z.array(
    z.object({
      order_id: uuid,
      amount_cents: z.int(),
      currency: z.string(),
      reason: z.string(),
      status: z.enum(['pending', 'succeeded', 'failed']),
      attempts: z.int(),
      next_attempt_at: instant.nullable(),
      provider_refund_id: z.string().optional(),
      last_error: z.string().optional(),
    }),
  ),
});

export const webhookReceived = z.object({
  received: z.literal(true),
  event_id: z.string(),
  outcome: z.string(),
  reason: z.string().optional(),
  orderId: uuid.optional(),
});

/** The error answers an operation may give, each in the documented shape `{error: {code, message, details?}}`. */
export function errors(...statuses: number[]): Record<number, typeof errorSchema> {
  // An operation that reads input can also be sent too much of it, or the wrong content type.
  const all = statuses.includes(400) ? [...statuses, 413, 415] : statuses;
  return Object.fromEntries(all.map((s) => [s, errorSchema.describe(ERROR_DESCRIPTIONS[s] ?? 'refused')]));
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'invalid_request: the offending fields in details',
  401: 'unauthorized: no credential, or a bad or expired one',
  403: 'forbidden: a credential without the right',
  404: 'not_found (also for something that exists but is not yours)',
  409: 'refused by the current state: a stable code says why',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited (Retry-After)',
  502: 'payment_unavailable',
  503: 'busy or database_unavailable (Retry-After): nothing changed, try again',
  507: 'storage_full (embedded database): nothing was saved',
};

/** Every operation may also answer these: the database away, or (embedded) its disk full. */
export const ALWAYS = [503, 507];

export const pushPublicKey = z.object({
  public_key: z
    .string()
    .describe("The server's VAPID public key (base64url): PushManager.subscribe's applicationServerKey"),
});

export const pushSubscriptionState = z.object({
  subscribed: z.boolean(),
  devices: z.int().describe("How many of the host's devices will be told when a guest arrives"),
});

export const refusedEntry = z.object({
  id: uuid,
  name: z.string(),
  email: z.string(),
  reason: z.string(),
  added_by: z.string().describe('The account that added it (its name, or e-mail)'),
  added_at: instant,
  removed_by: z.string().nullable(),
  removed_at: instant.nullable(),
});

export const refusedList = z.object({ people: z.array(refusedEntry) });

export const promoterView = z.object({
  id: uuid,
  name: z.string(),
  code: z.string(),
  link: z.string().describe("The home page with the promoter's code; any event's page takes `?p=` the same way"),
  created_at: instant,
});
export const promoterList = z.object({ promoters: z.array(promoterView) });
export const eventPromotersView = z.object({
  event_id: uuid,
  currency: z.string(),
  promoters: z.array(
    z.object({
      id: uuid,
      name: z.string(),
      code: z.string(),
      orders: z.int().describe('Paid orders (refunded ones too)'),
      tickets: z.int(),
      tables: z.int(),
      revenue_cents: z.int(),
      refunded_cents: z.int(),
      admitted: z.int().describe("Their buyers' tickets checked in"),
    }),
  ),
});

/** A staff or owner account as the owner's page lists it. */
export const userAccount = z.object({
  id: uuid,
  email: z.string(),
  name: z.string(),
  role: z.enum(['owner', 'staff']),
  disabled: z.boolean(),
  created_at: instant,
});

export const foundOrder = z.object({
  order_id: uuid,
  name: z.string(),
  email: z.string(),
  status: z.enum(['pending', 'paid', 'expired', 'refunded']),
  amount_cents: z.int(),
  refunded_cents: z.int(),
  currency: z.string(),
  tickets: z.int(),
  checked_in: z.int(),
  table_number: z.int().nullable(),
  created_at: instant,
  paid_at: instant.nullable(),
});

export const orderActivityView = z.object({
  order_id: uuid,
  scans: z.array(
    z.object({
      ticket_id: uuid,
      scanned_at: instant,
      scanner_id: z.string(),
      result: z.string(),
      reason: z.string().nullable(),
      offline: z.boolean(),
      method: z.string(),
    }),
  ),
  mails: z.array(
    z.object({
      kind: z.string(),
      status: z.string(),
      attempts: z.int(),
      sent_at: instant.nullable(),
      last_error: z.string().nullable(),
    }),
  ),
  transfers: z.array(transferView),
});

export const refundOutcome = z.object({
  order_id: uuid,
  amount_cents: z.int(),
  currency: z.string(),
  refund_status: z.enum(['pending', 'succeeded', 'failed']),
  tickets_voided: z.int(),
  table_released: z.boolean(),
});

export const waitlistJoined = z.object({
  id: uuid,
  event_id: uuid,
  quantity: z.int(),
  position: z.int().min(1).describe('1: next in line'),
  joined_at: instant,
  offer_minutes: z.int().describe('how long offered places stay held for them'),
});
export const waitlistView = z.object({
  event_id: uuid,
  entries: z.array(
    z.object({
      id: uuid,
      name: z.string(),
      email: z.string(),
      quantity: z.int(),
      state: z
        .enum(['waiting', 'offered', 'bought', 'lapsed'])
        .describe('offered: places held for them now; lapsed: the offer ran out unpaid'),
      joined_at: instant,
      offered_at: instant.nullable(),
      offer_expires_at: instant.nullable(),
      order_id: uuid.nullable(),
    }),
  ),
});

/** What the web pages need to know before they start: how payments are taken, which wallets are offered. */
export const clientConfig = z.object({
  payment_provider: z.enum(['local', 'stripe']),
  test_mode: z.boolean(),
  stripe_publishable_key: z.string().nullable(),
  wallets: z
    .object({ apple: z.boolean(), google: z.boolean() })
    .describe('which wallet buttons to show (each only when configured)'),
  time_zone: timeZone,
});
