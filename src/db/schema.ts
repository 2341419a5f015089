// Typed mirror of migrations/*.sql for Drizzle queries. The SQL files are the source of truth
// (constraints, partial indexes and triggers live there); keep column names and types in step.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  char,
  customType,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** Bytes as Buffers, whichever driver read them (node-postgres gives a Buffer, PGlite a Uint8Array). */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => Buffer.from(v),
});

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['owner', 'staff'] }).notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  name: text('name').notNull().default(''),
  disabledAt: ts('disabled_at'),
  /** Tokens issued under an older epoch no longer work (disabled, password reset). */
  sessionEpoch: integer('session_epoch').notNull().default(0),
});

export const events = pgTable('events', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  startsAt: ts('starts_at').notNull(),
  endsAt: ts('ends_at').notNull(),
  currency: char('currency', { length: 3 }).notNull(),
  gaPriceCents: integer('ga_price_cents').notNull(),
  gaCapacity: integer('ga_capacity').notNull(),
  gaSold: integer('ga_sold').notNull().default(0),
  venueName: text('venue_name').notNull().default(''),
  venueAddress: text('venue_address').notNull().default(''),
  description: text('description').notNull().default(''),
  coverEtag: text('cover_etag'),
  /** 18 or 21: the door checks ID at every admission (migration 0015); null: no minimum. */
  minAge: smallint('min_age'),
  /** The language of the event's mails and public page by default (src/i18n/locales.ts). */
  locale: text('locale').notNull().default('en'),
  status: text('status', { enum: ['scheduled', 'cancelled', 'completed'] })
    .notNull()
    .default('scheduled'),
  cancelledAt: ts('cancelled_at'),
  completedAt: ts('completed_at'),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const tiers = pgTable('tiers', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  name: text('name').notNull(),
  priceCents: integer('price_cents').notNull(),
  capacity: integer('capacity').notNull(),
  minSpendCents: integer('min_spend_cents'),
});

export const eventTables = pgTable('event_tables', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  tierId: uuid('tier_id').notNull(),
  number: integer('number').notNull(),
  x: doublePrecision('x').notNull(),
  y: doublePrecision('y').notNull(),
});

export const orders = pgTable('orders', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  gaQuantity: integer('ga_quantity').notNull(),
  eventTableId: uuid('event_table_id'),
  status: text('status', { enum: ['pending', 'paid', 'expired', 'refunded'] })
    .notNull()
    .default('pending'),
  amountCents: integer('amount_cents').notNull(),
  refundedCents: integer('refunded_cents').notNull().default(0),
  currency: char('currency', { length: 3 }).notNull(),
  expiresAt: ts('expires_at').notNull(),
  paidAt: ts('paid_at'),
  refundReason: text('refund_reason', { enum: ['event_cancelled', 'late_payment', 'owner_refund'] }),
  manageTokenHash: text('manage_token_hash').notNull(),
  paymentProvider: text('payment_provider', { enum: ['local', 'stripe'] }).notNull(),
  providerPaymentId: text('provider_payment_id'),
  providerClientSecret: text('provider_client_secret'),
  /** Which client placed it (a keyed hash of its network, client-key.ts): the hold limits count by it. */
  clientKey: text('client_key'),
  /** When the buyer confirmed the event's minimum age (null: the event has none). */
  ageConfirmedAt: ts('age_confirmed_at'),
  /** The language the order was placed in: its mails' (null: its event's). */
  locale: text('locale'),
  /** The promoter whose link the buyer came through (migration 0017). */
  promoterId: uuid('promoter_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const tickets = pgTable('tickets', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  orderId: uuid('order_id').notNull(),
  holderName: text('holder_name').notNull(),
  status: text('status', { enum: ['pending', 'valid', 'checked_in', 'void'] })
    .notNull()
    .default('pending'),
  qr: text('qr'),
  checkedInAt: ts('checked_in_at'),
  firstScannerId: text('first_scanner_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  /** Raised by each transfer: the code signs it, so earlier codes are refused (migration 0018). */
  codeGeneration: integer('code_generation').notNull().default(0),
  /** Who the ticket was last transferred to (null: the buyer's own). */
  holderEmail: text('holder_email'),
  /** SHA-256 of the new holder's capability (null: the order's token opens it). */
  holderTokenHash: text('holder_token_hash'),
});

export const reservations = pgTable('reservations', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  eventTableId: uuid('event_table_id').notNull(),
  orderId: uuid('order_id').notNull(),
  hostTicketId: uuid('host_ticket_id').notNull(),
  status: text('status', { enum: ['pending', 'confirmed', 'checked_in', 'completed', 'cancelled'] })
    .notNull()
    .default('pending'),
  noShow: boolean('no_show').notNull().default(false),
  inviteCode: text('invite_code').notNull(),
  checkedInAt: ts('checked_in_at'),
  /** The host lets linked guests pass their place on with their ticket (migration 0018). */
  guestsMayTransfer: boolean('guests_may_transfer').notNull().default(false),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const guestLinks = pgTable('guest_links', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  ticketId: uuid('ticket_id').notNull(),
  reservationId: uuid('reservation_id').notNull(),
  linkedByUserId: uuid('linked_by_user_id'),
  overrideCapacity: boolean('override_capacity').notNull().default(false),
  createdAt: ts('created_at').notNull().defaultNow(),
  unlinkedAt: ts('unlinked_at'),
  unlinkedBy: text('unlinked_by', { enum: ['guest', 'purchaser', 'staff', 'system'] }),
});

export const scans = pgTable('scans', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  eventId: uuid('event_id'),
  ticketId: uuid('ticket_id'),
  scannerId: text('scanner_id').notNull(),
  userId: uuid('user_id'),
  nonce: text('nonce'),
  scannedAt: ts('scanned_at').notNull(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
  offline: boolean('offline').notNull().default(false),
  result: text('result', { enum: ['admitted', 'reentry', 'rejected'] }).notNull(),
  reason: text('reason'),
  offlineResult: text('offline_result', { enum: ['admitted', 'reentry', 'rejected'] }),
  conflict: text('conflict'),
  response: jsonb('response'),
  /** `code` (a QR read or typed) or `manual` (staff picked the ticket by name at the door). */
  method: text('method', { enum: ['code', 'manual'] })
    .notNull()
    .default('code'),
  /** An offline scan that turned out earlier than the recorded first entry: the entry it displaced (now the duplicate). */
  displacedScanId: bigint('displaced_scan_id', { mode: 'number' }),
  /** What the scan asked (record-scan.ts `requestDigest`): a resend with its nonce must ask the same. */
  requestDigest: text('request_digest'),
});

export const refunds = pgTable('refunds', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  orderId: uuid('order_id').notNull(),
  amountCents: integer('amount_cents').notNull(),
  currency: char('currency', { length: 3 }).notNull(),
  reason: text('reason', { enum: ['event_cancelled', 'late_payment', 'owner_refund'] }).notNull(),
  idempotencyKey: text('idempotency_key').notNull(),
  status: text('status', { enum: ['pending', 'succeeded', 'failed'] })
    .notNull()
    .default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
  leaseUntil: ts('lease_until'),
  /** The current claim's token: only its holder may record the result. */
  leaseToken: uuid('lease_token'),
  providerRefundId: text('provider_refund_id'),
  lastError: text('last_error'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const webhookEvents = pgTable('webhook_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: ts('received_at').notNull().defaultNow(),
});

export const mails = pgTable('mails', {
  id: uuid('id').primaryKey().defaultRandom(),
  orderId: uuid('order_id').notNull(),
  kind: text('kind', {
    enum: ['order_paid', 'order_refunded', 'ticket_transferred', 'waitlist_offer', 'ticket_voided'],
  }).notNull(),
  recipient: text('recipient').notNull(),
  messageId: text('message_id').notNull(),
  status: text('status', { enum: ['pending', 'sent', 'failed'] })
    .notNull()
    .default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
  leaseUntil: ts('lease_until'),
  leaseToken: uuid('lease_token'),
  sentAt: ts('sent_at'),
  lastError: text('last_error'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  /** The transfer a `ticket_transferred` mail announces (migration 0018). */
  transferId: uuid('transfer_id'),
});

/** People waiting for GA places of a sold-out night, and the offers made to them (migration 0019). */
export const waitlistEntries = pgTable('waitlist_entries', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  quantity: integer('quantity').notNull(),
  status: text('status', { enum: ['waiting', 'offered'] })
    .notNull()
    .default('waiting'),
  orderId: uuid('order_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  offeredAt: ts('offered_at'),
  /** The language of the person waiting: their offer's (null: the event's). */
  locale: text('locale'),
});

/** Phones registered for a wallet pass's updates (Apple's web service, migration 0021). */
export const passRegistrations = pgTable('pass_registrations', {
  deviceId: text('device_id').notNull(),
  serial: text('serial').notNull(),
  ticketId: uuid('ticket_id').notNull(),
  generation: integer('generation').notNull(),
  pushToken: text('push_token').notNull(),
  fingerprint: text('fingerprint').notNull(),
  changedAt: ts('changed_at').notNull().defaultNow(),
  checkedAt: ts('checked_at').notNull().defaultNow(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** Google Wallet objects issued save links for, kept up to date (migration 0022). */
export const googleWalletObjects = pgTable('google_wallet_objects', {
  objectId: text('object_id').primaryKey(),
  ticketId: uuid('ticket_id').notNull(),
  generation: integer('generation').notNull(),
  fingerprint: text('fingerprint').notNull(),
  checkedAt: ts('checked_at').notNull().defaultNow(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** Every transfer of a ticket, for the order's history (migration 0018). */
export const ticketTransfers = pgTable('ticket_transfers', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  orderId: uuid('order_id').notNull(),
  ticketId: uuid('ticket_id').notNull(),
  generation: integer('generation').notNull(),
  fromName: text('from_name').notNull(),
  fromEmail: text('from_email').notNull(),
  toName: text('to_name').notNull(),
  toEmail: text('to_email').notNull(),
  tableLink: text('table_link', { enum: ['kept', 'dropped'] }),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** The certificate Velvet obtained over ACME for a set of domains (src/tls), shared by every instance. */
export const tlsCertificates = pgTable('tls_certificates', {
  domains: text('domains').primaryKey(),
  keyPem: text('key_pem').notNull(),
  certPem: text('cert_pem').notNull(),
  notBefore: ts('not_before').notNull(),
  notAfter: ts('not_after').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** HTTP-01 challenges in flight: any instance may be asked for the answer. */
export const acmeChallenges = pgTable('acme_challenges', {
  token: text('token').primaryKey(),
  keyAuthorization: text('key_authorization').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** An event's cover image, resized to WebP (migration 0014). */
export const eventCovers = pgTable('event_covers', {
  eventId: uuid('event_id').primaryKey(),
  contentType: text('content_type').notNull(),
  bytes: bytea('bytes').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  etag: text('etag').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** A VIP host's device that asked to be told when guests arrive (Web Push, migration 0015). */
export const pushSubscriptions = pgTable('push_subscriptions', {
  id: uuid('id').primaryKey().defaultRandom(),
  reservationId: uuid('reservation_id').notNull(),
  endpoint: text('endpoint').notNull(),
  p256dh: text('p256dh').notNull(),
  auth: text('auth').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** The push outbox: one row per subscription and arriving guest. */
export const pushes = pgTable('pushes', {
  id: uuid('id').primaryKey().defaultRandom(),
  subscriptionId: uuid('subscription_id').notNull(),
  reservationId: uuid('reservation_id').notNull(),
  ticketId: uuid('ticket_id').notNull(),
  status: text('status', { enum: ['pending', 'sent', 'failed'] })
    .notNull()
    .default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
  leaseUntil: ts('lease_until'),
  leaseToken: uuid('lease_token'),
  sentAt: ts('sent_at'),
  lastError: text('last_error'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** The venue's refused list (migration 0016); `name_key` is generated from `name`. */
export const refusedPeople = pgTable('refused_people', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().default(''),
  email: text('email').notNull().default(''),
  reason: text('reason').notNull(),
  addedBy: uuid('added_by').notNull(),
  addedAt: ts('added_at').notNull().defaultNow(),
  removedBy: uuid('removed_by'),
  removedAt: ts('removed_at'),
  /** The name folded for matching (lower case, no accents or spaces): written by the database only. */
  nameKey: text('name_key').generatedAlwaysAs(sql`velvet_name_key(name)`),
});

/** Promoters the owner pays by what they sell (migration 0017). */
export const promoters = pgTable('promoters', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  code: text('code').notNull(),
  createdBy: uuid('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});
