import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSessionToken } from '../src/auth/session-tokens.js';
import { addUser } from '../src/services/accounts/accounts.service.js';
import { bearer, buyPaid, createEvent, type EventInfo, type TestContext, startTestApp } from './support/harness.js';
import { openApiDocument, operations } from './support/openapi.js';

/**
 * Who may call what, for every operation: one table, one row per operation, one column per kind
 * of caller. A new operation without a row fails this test. Each cell runs on fresh data with a
 * request that is otherwise valid, so the status says what the credential allows, nothing else.
 * No endpoint tells a stranger whether someone else's order, ticket or reservation exists: another
 * order's token gets the same 404 as an unknown id.
 */
const CALLERS = ['anonymous', 'garbage', 'expired', 'other order', 'this order', 'staff', 'owner'] as const;
type Caller = (typeof CALLERS)[number];

//                                                    anon garbage expired other this staff owner
const MATRIX: Record<string, number[]> = {
  'GET /healthz': [200, 200, 200, 200, 200, 200, 200],
  'POST /api/v1/auth/login': [200, 200, 200, 200, 200, 200, 200],
  'GET /api/v1/config': [200, 200, 200, 200, 200, 200, 200],
  // Only the scraper's own token opens it, and only where VELVET_METRICS_TOKEN is set (not here).
  'GET /metrics': [404, 404, 404, 404, 404, 404, 404],
  'GET /api/v1/users': [401, 401, 401, 403, 403, 403, 200],
  'POST /api/v1/users': [401, 401, 401, 403, 403, 403, 201],
  'PATCH /api/v1/users/{id}': [401, 401, 401, 403, 403, 403, 200],
  'GET /api/v1/events': [200, 401, 401, 200, 200, 200, 200],
  'POST /api/v1/events': [401, 401, 401, 403, 403, 403, 201],
  'GET /api/v1/events/{id}': [200, 401, 401, 200, 200, 200, 200],
  'PATCH /api/v1/events/{id}': [401, 401, 401, 403, 403, 403, 200],
  'PUT /api/v1/events/{id}/layout': [401, 401, 401, 403, 403, 403, 200],
  // The owner may end it; this one has not started yet, which is the refusal the owner gets.
  'POST /api/v1/events/{id}/end': [401, 401, 401, 403, 403, 403, 409],
  'PUT /api/v1/events/{id}/details': [401, 401, 401, 403, 403, 403, 200],
  'PUT /api/v1/events/{id}/cover': [401, 401, 401, 403, 403, 403, 200],
  'DELETE /api/v1/events/{id}/cover': [401, 401, 401, 403, 403, 403, 200],
  // On the public page: anyone may load it (the world's event has one, uploaded by its owner).
  'GET /api/v1/events/{id}/cover': [200, 200, 200, 200, 200, 200, 200],
  'GET /api/v1/events/{id}/floor-plan': [401, 401, 401, 403, 403, 200, 200],
  'GET /api/v1/events/{id}/summary': [401, 401, 401, 403, 403, 403, 200],
  'GET /api/v1/events/{id}/orders': [401, 401, 401, 403, 403, 403, 200],
  'GET /api/v1/events/{id}/export/attendees.csv': [401, 401, 401, 403, 403, 403, 200],
  'GET /api/v1/events/{id}/export/orders.csv': [401, 401, 401, 403, 403, 403, 200],
  'GET /api/v1/orders/{id}/activity': [401, 401, 401, 403, 403, 403, 200],
  'POST /api/v1/orders/{id}/refund': [401, 401, 401, 403, 403, 403, 202],
  // The buyer's view of the tables is public; credentials change nothing there.
  'GET /api/v1/events/{id}/availability': [200, 200, 200, 200, 200, 200, 200],
  'GET /api/v1/events/{id}/availability/stream': [200, 200, 200, 200, 200, 200, 200],
  'GET /api/v1/events/{id}/floor-plan/stream': [401, 401, 401, 403, 403, 200, 200],
  'GET /api/v1/events/{id}/door/stream': [401, 401, 401, 403, 403, 200, 200],
  'POST /api/v1/events/{id}/orders': [201, 201, 201, 201, 201, 201, 201],
  'GET /api/v1/orders/{id}': [401, 401, 401, 404, 200, 403, 200],
  'POST /api/v1/orders/{id}/pay-local': [401, 401, 401, 404, 200, 403, 403],
  'POST /api/v1/orders/{id}/cancel': [401, 401, 401, 404, 409, 403, 403],
  'GET /api/v1/tickets/{id}/qr.svg': [401, 401, 401, 404, 200, 403, 200],
  'PATCH /api/v1/tickets/{id}': [401, 401, 401, 404, 200, 403, 403],
  'POST /api/v1/tickets/{id}/link': [401, 401, 401, 404, 200, 403, 403],
  'DELETE /api/v1/tickets/{id}/link': [401, 401, 401, 404, 200, 403, 403],
  'GET /api/v1/tickets/{id}': [401, 401, 401, 404, 200, 403, 200],
  // Public, and only while GA is sold out: this world's night has places, so everyone hears so.
  'POST /api/v1/events/{id}/waitlist': [409, 409, 409, 409, 409, 409, 409],
  'GET /api/v1/events/{id}/waitlist': [401, 401, 401, 403, 403, 403, 200],
  // No wallet is configured here: whoever may have the ticket's pass learns that (404); test/wallet.test.ts has them set up.
  'GET /api/v1/tickets/{id}/wallet.pkpass': [401, 401, 401, 404, 404, 403, 404],
  'GET /api/v1/tickets/{id}/wallet/google': [401, 401, 401, 404, 404, 403, 404],
  // Apple Wallet's web service: the pass's own token (ApplePass), never a bearer; not configured here.
  'POST /api/passkit/v1/devices/{device}/registrations/{pass_type}/{serial}': [404, 404, 404, 404, 404, 404, 404],
  'DELETE /api/passkit/v1/devices/{device}/registrations/{pass_type}/{serial}': [404, 404, 404, 404, 404, 404, 404],
  'GET /api/passkit/v1/devices/{device}/registrations/{pass_type}': [404, 404, 404, 404, 404, 404, 404],
  'GET /api/passkit/v1/passes/{pass_type}/{serial}': [404, 404, 404, 404, 404, 404, 404],
  'POST /api/passkit/v1/log': [200, 200, 200, 200, 200, 200, 200],
  'POST /api/v1/tickets/{id}/transfer': [401, 401, 401, 404, 200, 403, 403],
  'PUT /api/v1/reservations/{id}/guest-transfers': [401, 401, 401, 404, 200, 403, 403],
  // Whoever holds the code may read it: the host shares it.
  'GET /api/v1/invites/{code}': [200, 200, 200, 200, 200, 200, 200],
  'GET /api/v1/reservations/{id}': [401, 401, 401, 404, 200, 200, 200],
  'DELETE /api/v1/reservations/{id}/guests/{ticket_id}': [401, 401, 401, 404, 200, 403, 403],
  'POST /api/v1/reservations/{id}/guests': [401, 401, 401, 403, 403, 200, 200],
  // The host's own devices: only the table's order token subscribes them.
  'GET /api/v1/push/public-key': [200, 200, 200, 200, 200, 200, 200],
  // The refused list is the owner's: staff see its effect at the door, never the list.
  'GET /api/v1/refused': [401, 401, 401, 403, 403, 403, 200],
  'GET /api/v1/promoters': [401, 401, 401, 403, 403, 403, 200],
  'POST /api/v1/promoters': [401, 401, 401, 403, 403, 403, 201],
  'GET /api/v1/events/{id}/promoters': [401, 401, 401, 403, 403, 403, 200],
  'GET /api/v1/events/{id}/export/promoters.csv': [401, 401, 401, 403, 403, 403, 200],
  'POST /api/v1/refused': [401, 401, 401, 403, 403, 403, 201],
  'DELETE /api/v1/refused/{id}': [401, 401, 401, 403, 403, 403, 200],
  'PUT /api/v1/reservations/{id}/push-subscription': [401, 401, 401, 404, 200, 403, 403],
  'DELETE /api/v1/reservations/{id}/push-subscription': [401, 401, 401, 404, 200, 403, 403],
  'POST /api/v1/scans': [401, 401, 401, 403, 403, 200, 200],
  'POST /api/v1/scans/batch': [401, 401, 401, 403, 403, 200, 200],
  'GET /api/v1/events/{id}/scanner-cache': [401, 401, 401, 403, 403, 200, 200],
  'GET /api/v1/events/{id}/cancellation': [401, 401, 401, 403, 403, 403, 200],
  'POST /api/v1/events/{id}/cancel': [401, 401, 401, 403, 403, 403, 202],
  'GET /api/v1/events/{id}/refunds': [401, 401, 401, 403, 403, 403, 200],
  'POST /api/v1/events/{id}/refunds/retry': [401, 401, 401, 403, 403, 403, 200],
  // Stripe signs it; credentials mean nothing here (and the local provider has no such endpoint).
  'POST /api/v1/webhooks/stripe': [404, 404, 404, 404, 404, 404, 404],
};

interface World {
  event: EventInfo;
  /** "This order": a paid table order (its host ticket, its reservation). */
  table: Awaited<ReturnType<typeof buyPaid>>;
  /** A paid GA order of the same event, linked to the table: the guest (or "another order"). */
  guest: Awaited<ReturnType<typeof buyPaid>>;
  /** A pending order: what "this order" pays. */
  unpaid: { order_id: string; manage_token: string };
  /** An entry on the refused list (nobody of this world's). */
  refusedId: string;
}

interface Request {
  method: string;
  url: string;
  body?: unknown;
  /** For a body that is not JSON (an image). */
  contentType?: string;
  /** Whose order the path names, when it names one (decides "this order" vs "other order"). */
  owner?: 'table' | 'guest' | 'unpaid';
}

const REQUESTS: Record<string, (w: World) => Request> = {
  'GET /healthz': () => ({ method: 'GET', url: '/healthz' }),
  'POST /api/v1/auth/login': () => ({
    method: 'POST',
    url: '/api/v1/auth/login',
    body: { email: 'matrix@x.test', password: 'matrix-password' },
  }),
  'GET /api/v1/config': () => ({ method: 'GET', url: '/api/v1/config' }),
  'GET /metrics': () => ({ method: 'GET', url: '/metrics' }),
  'GET /api/v1/users': () => ({ method: 'GET', url: '/api/v1/users' }),
  'POST /api/v1/users': () => ({
    method: 'POST',
    url: '/api/v1/users',
    body: { email: `u${Math.random()}@x.test`, password: 'long-enough', role: 'staff' },
  }),
  'PATCH /api/v1/users/{id}': () => ({
    method: 'PATCH',
    url: `/api/v1/users/${matrixUserId}`,
    body: { name: 'Renamed' },
  }),
  'GET /api/v1/events': () => ({ method: 'GET', url: '/api/v1/events' }),
  'POST /api/v1/events': () => ({ method: 'POST', url: '/api/v1/events', body: eventJson() }),
  'GET /api/v1/events/{id}': (w) => ({ method: 'GET', url: `/api/v1/events/${w.event.id}` }),
  'PATCH /api/v1/events/{id}': (w) => ({
    method: 'PATCH',
    url: `/api/v1/events/${w.event.id}`,
    body: { name: 'Renamed' },
  }),
  'PUT /api/v1/events/{id}/layout': (w) => ({
    method: 'PUT',
    url: `/api/v1/events/${w.event.id}/layout`,
    body: {
      ga: { price_cents: 2500, capacity: 200 },
      tiers: [{ id: w.event.tiers[0]!.id, name: 'Gold', price_cents: 50000, capacity: 8 }],
      tables: [{ id: w.event.tables[0]!.id, number: 1, tier: 'Gold', x: 40, y: 40 }],
    },
  }),
  'POST /api/v1/events/{id}/end': (w) => ({ method: 'POST', url: `/api/v1/events/${w.event.id}/end` }),
  'PUT /api/v1/events/{id}/details': (w) => ({
    method: 'PUT',
    url: `/api/v1/events/${w.event.id}/details`,
    body: { venue_name: 'The Vault', venue_address: '1 Main St', description: 'House all night' },
  }),
  'PUT /api/v1/events/{id}/cover': (w) => ({
    method: 'PUT',
    url: `/api/v1/events/${w.event.id}/cover`,
    body: coverPng,
    contentType: 'image/png',
  }),
  'DELETE /api/v1/events/{id}/cover': (w) => ({ method: 'DELETE', url: `/api/v1/events/${w.event.id}/cover` }),
  'GET /api/v1/events/{id}/cover': (w) => ({ method: 'GET', url: `/api/v1/events/${w.event.id}/cover` }),
  'GET /api/v1/events/{id}/floor-plan': (w) => ({ method: 'GET', url: `/api/v1/events/${w.event.id}/floor-plan` }),
  'GET /api/v1/events/{id}/orders': (w) => ({ method: 'GET', url: `/api/v1/events/${w.event.id}/orders?q=host` }),
  'GET /api/v1/events/{id}/export/attendees.csv': (w) => ({
    method: 'GET',
    url: `/api/v1/events/${w.event.id}/export/attendees.csv`,
  }),
  'GET /api/v1/events/{id}/export/orders.csv': (w) => ({
    method: 'GET',
    url: `/api/v1/events/${w.event.id}/export/orders.csv`,
  }),
  'GET /api/v1/orders/{id}/activity': (w) => ({
    method: 'GET',
    url: `/api/v1/orders/${w.table.order_id}/activity`,
    owner: 'table',
  }),
  'POST /api/v1/orders/{id}/refund': (w) => ({
    method: 'POST',
    url: `/api/v1/orders/${w.guest.order_id}/refund`,
    body: { amount_cents: 2000 },
    owner: 'guest',
  }),
  'GET /api/v1/events/{id}/summary': (w) => ({ method: 'GET', url: `/api/v1/events/${w.event.id}/summary` }),
  'GET /api/v1/events/{id}/availability': (w) => ({ method: 'GET', url: `/api/v1/events/${w.event.id}/availability` }),
  'GET /api/v1/events/{id}/availability/stream': (w) => ({
    method: 'GET',
    url: `/api/v1/events/${w.event.id}/availability/stream`,
  }),
  'GET /api/v1/events/{id}/floor-plan/stream': (w) => ({
    method: 'GET',
    url: `/api/v1/events/${w.event.id}/floor-plan/stream`,
  }),
  'GET /api/v1/events/{id}/door/stream': (w) => ({ method: 'GET', url: `/api/v1/events/${w.event.id}/door/stream` }),
  'POST /api/v1/events/{id}/orders': (w) => ({
    method: 'POST',
    url: `/api/v1/events/${w.event.id}/orders`,
    body: { email: `m${Math.random()}@x.test`, name: 'M', ga_quantity: 1 },
  }),
  'GET /api/v1/orders/{id}': (w) => ({ method: 'GET', url: `/api/v1/orders/${w.table.order_id}`, owner: 'table' }),
  'POST /api/v1/orders/{id}/pay-local': (w) => ({
    method: 'POST',
    url: `/api/v1/orders/${w.unpaid.order_id}/pay-local`,
    owner: 'unpaid',
  }),
  'POST /api/v1/orders/{id}/cancel': (w) => ({
    method: 'POST',
    url: `/api/v1/orders/${w.table.order_id}/cancel`,
    owner: 'table',
  }),
  'GET /api/v1/tickets/{id}/qr.svg': (w) => ({
    method: 'GET',
    url: `/api/v1/tickets/${hostTicket(w).id}/qr.svg`,
    owner: 'table',
  }),
  'PATCH /api/v1/tickets/{id}': (w) => ({
    method: 'PATCH',
    url: `/api/v1/tickets/${hostTicket(w).id}`,
    body: { holder_name: 'Renamed Host' },
    owner: 'table',
  }),
  'POST /api/v1/tickets/{id}/link': (w) => ({
    method: 'POST',
    url: `/api/v1/tickets/${extra(w).id}/link`,
    body: { invite_code: w.table.view.reservation!.invite_code },
    owner: 'table',
  }),
  'GET /api/v1/tickets/{id}/wallet.pkpass': (w) => ({
    method: 'GET',
    url: `/api/v1/tickets/${extra(w).id}/wallet.pkpass`,
    owner: 'table',
  }),
  'GET /api/v1/tickets/{id}/wallet/google': (w) => ({
    method: 'GET',
    url: `/api/v1/tickets/${extra(w).id}/wallet/google`,
    owner: 'table',
  }),
  'POST /api/v1/events/{id}/waitlist': (w) => ({
    method: 'POST',
    url: `/api/v1/events/${w.event.id}/waitlist`,
    body: { email: 'waiting@x.test', name: 'W', quantity: 1 },
  }),
  'GET /api/v1/events/{id}/waitlist': (w) => ({ method: 'GET', url: `/api/v1/events/${w.event.id}/waitlist` }),
  'POST /api/passkit/v1/devices/{device}/registrations/{pass_type}/{serial}': (w) => ({
    method: 'POST',
    url: `/api/passkit/v1/devices/phone-1/registrations/pass.test.velvet/${extra(w).id}.0`,
    body: { pushToken: 'push-token' },
  }),
  'DELETE /api/passkit/v1/devices/{device}/registrations/{pass_type}/{serial}': (w) => ({
    method: 'DELETE',
    url: `/api/passkit/v1/devices/phone-1/registrations/pass.test.velvet/${extra(w).id}.0`,
  }),
  'GET /api/passkit/v1/devices/{device}/registrations/{pass_type}': () => ({
    method: 'GET',
    url: '/api/passkit/v1/devices/phone-1/registrations/pass.test.velvet',
  }),
  'GET /api/passkit/v1/passes/{pass_type}/{serial}': (w) => ({
    method: 'GET',
    url: `/api/passkit/v1/passes/pass.test.velvet/${extra(w).id}.0`,
  }),
  'POST /api/passkit/v1/log': () => ({ method: 'POST', url: '/api/passkit/v1/log', body: { logs: ['a problem'] } }),
  'GET /api/v1/tickets/{id}': (w) => ({ method: 'GET', url: `/api/v1/tickets/${extra(w).id}`, owner: 'table' }),
  'POST /api/v1/tickets/{id}/transfer': (w) => ({
    method: 'POST',
    url: `/api/v1/tickets/${extra(w).id}/transfer`,
    body: { email: 'friend@x.test', name: 'Friend' },
    owner: 'table',
  }),
  'PUT /api/v1/reservations/{id}/guest-transfers': (w) => ({
    method: 'PUT',
    url: `/api/v1/reservations/${w.table.view.reservation!.id}/guest-transfers`,
    body: { allowed: true },
    owner: 'table',
  }),
  'GET /api/v1/invites/{code}': (w) => ({
    method: 'GET',
    url: `/api/v1/invites/${w.table.view.reservation!.invite_code}`,
  }),
  'DELETE /api/v1/tickets/{id}/link': (w) => ({
    method: 'DELETE',
    url: `/api/v1/tickets/${w.guest.view.tickets[0]!.id}/link`,
    owner: 'guest',
  }),
  'GET /api/v1/reservations/{id}': (w) => ({
    method: 'GET',
    url: `/api/v1/reservations/${w.table.view.reservation!.id}`,
    owner: 'table',
  }),
  'DELETE /api/v1/reservations/{id}/guests/{ticket_id}': (w) => ({
    method: 'DELETE',
    url: `/api/v1/reservations/${w.table.view.reservation!.id}/guests/${w.guest.view.tickets[0]!.id}`,
    owner: 'table',
  }),
  'POST /api/v1/reservations/{id}/guests': (w) => ({
    method: 'POST',
    url: `/api/v1/reservations/${w.table.view.reservation!.id}/guests`,
    body: { ticket_id: extra(w).id },
    owner: 'table',
  }),
  'GET /api/v1/push/public-key': () => ({ method: 'GET', url: '/api/v1/push/public-key' }),
  'GET /api/v1/refused': () => ({ method: 'GET', url: '/api/v1/refused' }),
  'GET /api/v1/promoters': () => ({ method: 'GET', url: '/api/v1/promoters' }),
  'POST /api/v1/promoters': () => ({
    method: 'POST',
    url: '/api/v1/promoters',
    body: { name: 'Matrix Promoter', code: `m-${randomUUID().slice(0, 8)}` },
  }),
  'GET /api/v1/events/{id}/promoters': (w) => ({ method: 'GET', url: `/api/v1/events/${w.event.id}/promoters` }),
  'GET /api/v1/events/{id}/export/promoters.csv': (w) => ({
    method: 'GET',
    url: `/api/v1/events/${w.event.id}/export/promoters.csv`,
  }),
  'POST /api/v1/refused': () => ({
    method: 'POST',
    url: '/api/v1/refused',
    body: { name: 'Matrix Person', reason: 'For the matrix' },
  }),
  'DELETE /api/v1/refused/{id}': (w) => ({ method: 'DELETE', url: `/api/v1/refused/${w.refusedId}` }),
  'PUT /api/v1/reservations/{id}/push-subscription': (w) => ({
    method: 'PUT',
    url: `/api/v1/reservations/${w.table.view.reservation!.id}/push-subscription`,
    body: {
      endpoint: 'https://push.example.com/send/matrix',
      keys: {
        p256dh: 'BE35w7E4mfV-fkeTs2KowMq5JHB5pQ0Ev8dQwetCEy27XPu96iGXA-H76JOLDmcI3GU18KTxOLQi8IVr0iHnfO0',
        auth: 'fk9Y9womEzZ6MVn1F9bhdQ',
      },
    },
    owner: 'table',
  }),
  'DELETE /api/v1/reservations/{id}/push-subscription': (w) => ({
    method: 'DELETE',
    url: `/api/v1/reservations/${w.table.view.reservation!.id}/push-subscription`,
    body: { endpoint: 'https://push.example.com/send/matrix' },
    owner: 'table',
  }),
  'POST /api/v1/scans': (w) => ({
    method: 'POST',
    url: '/api/v1/scans',
    body: { qr: hostTicket(w).qr, scanner_id: 'door-1', event_id: w.event.id },
    owner: 'table',
  }),
  'POST /api/v1/scans/batch': (w) => ({
    method: 'POST',
    url: '/api/v1/scans/batch',
    body: {
      scanner_id: 'door-1',
      event_id: w.event.id,
      scans: [{ qr: hostTicket(w).qr, scanned_at: '2030-06-01T12:00:00Z', offline_result: 'rejected' }],
    },
    owner: 'table',
  }),
  'GET /api/v1/events/{id}/scanner-cache': (w) => ({
    method: 'GET',
    url: `/api/v1/events/${w.event.id}/scanner-cache`,
    owner: 'table',
  }),
  'GET /api/v1/events/{id}/cancellation': (w) => ({
    method: 'GET',
    url: `/api/v1/events/${w.event.id}/cancellation`,
    owner: 'table',
  }),
  'POST /api/v1/events/{id}/cancel': (w) => ({
    method: 'POST',
    url: `/api/v1/events/${w.event.id}/cancel`,
    body: { confirmation_token: 'CONFIRMATION' },
    owner: 'table',
  }),
  'POST /api/v1/events/{id}/refunds/retry': (w) => ({
    method: 'POST',
    url: `/api/v1/events/${w.event.id}/refunds/retry`,
    owner: 'table',
  }),
  'GET /api/v1/events/{id}/refunds': (w) => ({
    method: 'GET',
    url: `/api/v1/events/${w.event.id}/refunds`,
    owner: 'table',
  }),
  'POST /api/v1/webhooks/stripe': () => ({
    method: 'POST',
    url: '/api/v1/webhooks/stripe',
    body: { type: 'payment_intent.succeeded' },
  }),
};

const hostTicket = (w: World) => w.table.view.tickets.find((t) => t.is_host)!;
/** The table order's second ticket: plain GA until linked. */
const extra = (w: World) => w.table.view.tickets.find((t) => !t.is_host)!;

function eventJson() {
  return {
    name: 'Matrix Night',
    starts_at: '2030-06-02T22:00:00.000Z',
    ends_at: '2030-06-03T05:00:00.000Z',
    currency: 'EUR',
    ga: { price_cents: 2000, capacity: 200 },
    tiers: [{ name: 'Gold', price_cents: 50000, capacity: 8 }],
    tables: [{ number: 1, tier: 'Gold', x: 0, y: 0 }],
  };
}

let ctx: TestContext;
let base: string;
let expiredToken: string;
let matrixUserId: string;
let coverPng: Buffer;
beforeAll(async () => {
  coverPng = await sharp({ create: { width: 640, height: 360, channels: 3, background: '#334' } })
    .png()
    .toBuffer();
  ctx = await startTestApp();
  matrixUserId = (await addUser(ctx.deps, { email: 'matrix@x.test', password: 'matrix-password', role: 'staff' })).id;
  expiredToken = signSessionToken(ctx.deps.keys.sessionSecret, {
    sub: ctx.staffId,
    role: 'staff',
    exp: Math.floor(ctx.clock.now().getTime() / 1000) - 60,
  });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => ctx.close());

async function world(): Promise<World> {
  const event = await createEvent(ctx, eventJson());
  const table = await buyPaid(ctx, event.id, { ga_quantity: 2, table_id: event.tables[0]!.id, name: 'Host' });
  // The table's second ticket sits at it from the purchase; as plain GA it is the one to link.
  const off = await ctx.app.inject({
    method: 'DELETE',
    url: `/api/v1/tickets/${extra({ table } as World).id}/link`,
    headers: bearer(table.manage_token),
  });
  expect(off.statusCode, off.body).toBe(200);
  const guest = await buyPaid(ctx, event.id, { name: 'Guest' });
  const link = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/tickets/${guest.view.tickets[0]!.id}/link`,
    headers: bearer(guest.manage_token),
    payload: { invite_code: table.view.reservation!.invite_code },
  });
  expect(link.statusCode, link.body).toBe(200);
  const unpaid = (
    await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/orders`,
      payload: { email: 'u@x.test', name: 'U', ga_quantity: 1 },
    })
  ).json();
  const listed = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/refused',
    headers: bearer(ctx.ownerToken),
    payload: { email: `listed-${event.id}@x.test`, reason: 'Matrix' },
  });
  expect(listed.statusCode, listed.body).toBe(201);
  return { event, table, guest, unpaid, refusedId: listed.json().id };
}

function tokenFor(caller: Caller, w: World, req: Request): string | undefined {
  const tokens = { table: w.table.manage_token, guest: w.guest.manage_token, unpaid: w.unpaid.manage_token };
  const mine = tokens[req.owner ?? 'table'];
  const other = req.owner === 'guest' ? tokens.table : tokens.guest;
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'garbage':
      return 'garbage-token';
    case 'expired':
      return expiredToken;
    case 'other order':
      return other;
    case 'this order':
      return mine;
    case 'staff':
      return ctx.staffToken;
    case 'owner':
      return ctx.ownerToken;
  }
}

async function call(req: Request, token: string | undefined, w: World): Promise<number> {
  let body = req.body;
  if (req.url.endsWith('/cancel') && req.url.includes('/events/')) {
    const preview = await ctx.app.inject({
      url: `/api/v1/events/${w.event.id}/cancellation`,
      headers: bearer(ctx.ownerToken),
    });
    body = { confirmation_token: preview.json().confirmation_token };
  }
  if (req.method === 'GET' && req.url.endsWith('/cover')) {
    const upload = await ctx.app.inject({
      method: 'PUT',
      url: req.url,
      headers: { ...bearer(ctx.ownerToken), 'content-type': 'image/png' },
      payload: coverPng,
    });
    expect(upload.statusCode, upload.body).toBe(200);
  }
  if (req.url.endsWith('/stream')) {
    // A real socket: an allowed stream stays open, so only its status is read.
    const abort = new AbortController();
    const res = await fetch(`${base}${req.url}`, { headers: token ? bearer(token) : {}, signal: abort.signal });
    abort.abort();
    return res.status;
  }
  const res = await ctx.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: { ...(token ? bearer(token) : {}), ...(req.contentType ? { 'content-type': req.contentType } : {}) },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return res.statusCode;
}

describe('access matrix', () => {
  it('has a row for every operation of the OpenAPI document, and no other', async () => {
    const served = operations(await openApiDocument(ctx.app)).map((o) => `${o.method} ${o.path}`);
    expect(
      served.filter((op) => !MATRIX[op]),
      'operations without a row',
    ).toEqual([]);
    expect(
      Object.keys(MATRIX).filter((op) => !served.includes(op)),
      'rows for no operation',
    ).toEqual([]);
  });

  it.each(Object.keys(MATRIX))('%s', async (op) => {
    const got: number[] = [];
    let w = await world();
    for (const caller of CALLERS) {
      const req = REQUESTS[op]!(w);
      const status = await call(req, tokenFor(caller, w, req), w);
      got.push(status);
      // A refusal changes nothing (the suite proves that for every refusal) and neither does a
      // read: the next caller meets the same world. A write that went through gets a fresh one.
      if (status < 400 && req.method !== 'GET') w = await world();
    }
    expect(Object.fromEntries(CALLERS.map((c, i) => [c, got[i]]))).toEqual(
      Object.fromEntries(CALLERS.map((c, i) => [c, MATRIX[op]![i]])),
    );
  });
});
