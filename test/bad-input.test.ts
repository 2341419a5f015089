import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buyPaid,
  createEvent,
  eventBody,
  placeOrder,
  startTestApp,
  type EventInfo,
  type PlacedOrder,
  type TestContext,
} from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

/**
 * Every foundation endpoint against malformed bodies, wrong types, unknown ids and missing or
 * foreign credentials: each answers its documented code, and the database is byte-for-byte unchanged.
 */
let ctx: TestContext;
let event: EventInfo;
let otherEvent: EventInfo;
let pending: PlacedOrder;
let paid: PlacedOrder & { view: { tickets: Array<{ id: string }> } };
let other: PlacedOrder;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
  otherEvent = await createEvent(ctx, { name: 'Other night' });
  pending = await placeOrder(ctx, event.id, { ga_quantity: 1 });
  paid = await buyPaid(ctx, event.id, { ga_quantity: 1 });
  other = await placeOrder(ctx, event.id, { ga_quantity: 1 });
});
afterAll(() => ctx.close());

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: () => string;
  token?: () => string;
  body?: () => unknown;
  raw?: string;
  status: number;
  code: string;
  field?: string;
}

const owner = () => ctx.ownerToken;
const staff = () => ctx.staffToken;
const orderBody = (o: Record<string, unknown> = {}) => ({ email: 'x@example.com', name: 'X', ga_quantity: 1, ...o });

const cases: Case[] = [
  // Events
  {
    name: 'create event without a token',
    method: 'POST',
    url: () => '/api/v1/events',
    body: () => eventBody(),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'create event as staff',
    method: 'POST',
    url: () => '/api/v1/events',
    token: staff,
    body: () => eventBody(),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'create event with a buyer token',
    method: 'POST',
    url: () => '/api/v1/events',
    token: () => pending.manage_token,
    body: () => eventBody(),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'create event with a forged token',
    method: 'POST',
    url: () => '/api/v1/events',
    token: () => `${ctx.ownerToken.split('.')[0]}.AAAA`,
    body: () => eventBody(),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'create event with malformed JSON',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    raw: '{"name": ',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'create event with a string capacity',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    body: () => eventBody({ ga: { price_cents: 100, capacity: 'lots' } }),
    status: 400,
    code: 'invalid_request',
    field: 'ga.capacity',
  },
  {
    name: 'create event with a negative price',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    body: () => eventBody({ ga: { price_cents: -1, capacity: 10 } }),
    status: 400,
    code: 'invalid_request',
    field: 'ga.price_cents',
  },
  {
    name: 'create event with fractional cents',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    body: () => eventBody({ ga: { price_cents: 10.5, capacity: 10 } }),
    status: 400,
    code: 'invalid_request',
    field: 'ga.price_cents',
  },
  {
    name: 'create event with a bad date',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    body: () => eventBody({ starts_at: 'tomorrow' }),
    status: 400,
    code: 'invalid_request',
    field: 'starts_at',
  },
  {
    name: 'create event ending before it starts',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    body: () => eventBody({ ends_at: '2030-06-02T21:00:00Z' }),
    status: 400,
    code: 'invalid_request',
    field: 'ends_at',
  },
  {
    name: 'create event with a currency that is not three letters',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    body: () => eventBody({ currency: 'EURO' }),
    status: 400,
    code: 'invalid_request',
    field: 'currency',
  },
  {
    name: 'create event with duplicate table numbers',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    body: () =>
      eventBody({
        tables: [
          { number: 1, tier: 'Gold', x: 0, y: 0 },
          { number: 1, tier: 'Gold', x: 1, y: 1 },
        ],
      }),
    status: 400,
    code: 'invalid_request',
    field: 'tables.1.number',
  },
  {
    name: 'create event with a table of an unknown tier',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    body: () => eventBody({ tables: [{ number: 1, tier: 'Platinum', x: 0, y: 0 }] }),
    status: 400,
    code: 'invalid_request',
    field: 'tables.0.tier',
  },
  {
    name: 'create event with a zero-person tier',
    method: 'POST',
    url: () => '/api/v1/events',
    token: owner,
    body: () => eventBody({ tiers: [{ name: 'Gold', price_cents: 1, capacity: 0 }], tables: [] }),
    status: 400,
    code: 'invalid_request',
    field: 'tiers.0.capacity',
  },
  { name: 'read an unknown event', url: () => `/api/v1/events/${UNKNOWN}`, status: 404, code: 'not_found' },
  { name: 'read an event by a malformed id', url: () => '/api/v1/events/not-a-uuid', status: 404, code: 'not_found' },
  {
    name: 'reschedule without a token',
    method: 'PATCH',
    url: () => `/api/v1/events/${event.id}`,
    body: () => ({ name: 'New' }),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'reschedule as staff',
    method: 'PATCH',
    url: () => `/api/v1/events/${event.id}`,
    token: staff,
    body: () => ({ name: 'New' }),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'reschedule an unknown event',
    method: 'PATCH',
    url: () => `/api/v1/events/${UNKNOWN}`,
    token: owner,
    body: () => ({ name: 'New' }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'reschedule with nothing to change',
    method: 'PATCH',
    url: () => `/api/v1/events/${event.id}`,
    token: owner,
    body: () => ({}),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'reschedule to end before the start',
    method: 'PATCH',
    url: () => `/api/v1/events/${event.id}`,
    token: owner,
    body: () => ({ ends_at: '2030-06-02T20:00:00Z' }),
    status: 400,
    code: 'invalid_request',
    field: 'ends_at',
  },
  {
    name: 'end an event that has not started',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/end`,
    token: owner,
    status: 409,
    code: 'event_not_started',
  },
  {
    name: 'end an event as staff',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/end`,
    token: staff,
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'end an unknown event',
    method: 'POST',
    url: () => `/api/v1/events/${UNKNOWN}/end`,
    token: owner,
    status: 404,
    code: 'not_found',
  },
  {
    name: 'floor plan without a token',
    url: () => `/api/v1/events/${event.id}/floor-plan`,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'floor plan with a buyer token',
    url: () => `/api/v1/events/${event.id}/floor-plan`,
    token: () => pending.manage_token,
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'floor plan of an unknown event',
    url: () => `/api/v1/events/${UNKNOWN}/floor-plan`,
    token: staff,
    status: 404,
    code: 'not_found',
  },
  {
    name: 'malformed Authorization header',
    url: () => `/api/v1/events/${event.id}/floor-plan`,
    token: () => '',
    status: 401,
    code: 'unauthorized',
  },
  // Buying
  {
    name: 'order for an unknown event',
    method: 'POST',
    url: () => `/api/v1/events/${UNKNOWN}/orders`,
    body: () => orderBody(),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'order without an email',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => ({ name: 'X', ga_quantity: 1 }),
    status: 400,
    code: 'invalid_request',
    field: 'email',
  },
  {
    name: 'order with a bad email',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ email: 'nobody' }),
    status: 400,
    code: 'invalid_request',
    field: 'email',
  },
  {
    name: 'order with a blank name',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ name: '   ' }),
    status: 400,
    code: 'invalid_request',
    field: 'name',
  },
  {
    name: 'order of zero tickets',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ ga_quantity: 0 }),
    status: 400,
    code: 'invalid_request',
    field: 'ga_quantity',
  },
  {
    name: 'table order of zero tickets',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ ga_quantity: 0, table_id: event.tables[1]!.id }),
    status: 400,
    code: 'invalid_request',
    field: 'ga_quantity',
  },
  {
    name: 'order of a string quantity',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ ga_quantity: '2' }),
    status: 400,
    code: 'invalid_request',
    field: 'ga_quantity',
  },
  {
    name: 'order of more tickets than any order may have',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ ga_quantity: 101 }),
    status: 400,
    code: 'invalid_request',
    field: 'ga_quantity',
  },
  {
    name: 'order of more tickets than the configured cap',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ ga_quantity: 21 }),
    status: 409,
    code: 'too_many_tickets',
    field: 'ga_quantity',
  },
  {
    name: 'order with a malformed table id',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ table_id: 'table-1' }),
    status: 400,
    code: 'invalid_request',
    field: 'table_id',
  },
  {
    name: 'order for an unknown table',
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ table_id: UNKNOWN }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "order for another event's table",
    method: 'POST',
    url: () => `/api/v1/events/${event.id}/orders`,
    body: () => orderBody({ table_id: otherEvent.tables[0]!.id }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'read an order without a token',
    url: () => `/api/v1/orders/${pending.order_id}`,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: "read an order with another order's token",
    url: () => `/api/v1/orders/${pending.order_id}`,
    token: () => other.manage_token,
    status: 404,
    code: 'not_found',
  },
  {
    name: 'read an order with a made-up token',
    url: () => `/api/v1/orders/${pending.order_id}`,
    token: () => 'not-a-real-token',
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'read an order as staff',
    url: () => `/api/v1/orders/${pending.order_id}`,
    token: staff,
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'read an unknown order',
    url: () => `/api/v1/orders/${UNKNOWN}`,
    token: () => pending.manage_token,
    status: 404,
    code: 'not_found',
  },
  {
    name: "pay with another order's token",
    method: 'POST',
    url: () => `/api/v1/orders/${pending.order_id}/pay-local`,
    token: () => other.manage_token,
    status: 404,
    code: 'not_found',
  },
  {
    name: 'pay without a token',
    method: 'POST',
    url: () => `/api/v1/orders/${pending.order_id}/pay-local`,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'pay an unknown order',
    method: 'POST',
    url: () => `/api/v1/orders/${UNKNOWN}/pay-local`,
    token: () => pending.manage_token,
    status: 404,
    code: 'not_found',
  },
  {
    name: 'cancel a paid order',
    method: 'POST',
    url: () => `/api/v1/orders/${paid.order_id}/cancel`,
    token: () => paid.manage_token,
    status: 409,
    code: 'sales_final',
  },
  {
    name: 'cancel a pending order',
    method: 'POST',
    url: () => `/api/v1/orders/${pending.order_id}/cancel`,
    token: () => pending.manage_token,
    status: 409,
    code: 'sales_final',
  },
  {
    name: "cancel with another order's token",
    method: 'POST',
    url: () => `/api/v1/orders/${paid.order_id}/cancel`,
    token: () => other.manage_token,
    status: 404,
    code: 'not_found',
  },
  {
    name: 'QR without a token',
    url: () => `/api/v1/tickets/${paid.view.tickets[0]!.id}/qr.svg`,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: "QR with another order's token",
    url: () => `/api/v1/tickets/${paid.view.tickets[0]!.id}/qr.svg?token=${other.manage_token}`,
    status: 404,
    code: 'not_found',
  },
  {
    name: 'QR of an unknown ticket',
    url: () => `/api/v1/tickets/${UNKNOWN}/qr.svg?token=${paid.manage_token}`,
    status: 404,
    code: 'not_found',
  },
  // Accounts
  {
    name: 'login with a wrong password',
    method: 'POST',
    url: () => '/api/v1/auth/login',
    body: () => ({ email: 'owner@test.local', password: 'nope' }),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'login for an unknown email',
    method: 'POST',
    url: () => '/api/v1/auth/login',
    body: () => ({ email: 'who@test.local', password: 'whatever' }),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'login without a password',
    method: 'POST',
    url: () => '/api/v1/auth/login',
    body: () => ({ email: 'owner@test.local' }),
    status: 400,
    code: 'invalid_request',
    field: 'password',
  },
  {
    name: 'login with a numeric password',
    method: 'POST',
    url: () => '/api/v1/auth/login',
    body: () => ({ email: 'owner@test.local', password: 12345678 }),
    status: 400,
    code: 'invalid_request',
    field: 'password',
  },
  { name: 'an unknown route', url: () => '/api/v1/nothing-here', status: 404, code: 'not_found' },
];

describe('refused requests change nothing', () => {
  it.each(cases)('$name → $status $code', async (c) => {
    const before = await dumpTables(ctx.database.db);
    const headers: Record<string, string> = c.token
      ? c.token()
        ? bearer(c.token())
        : { authorization: 'Basic abc' }
      : {};
    const res = await ctx.app.inject({
      method: c.method ?? 'GET',
      url: c.url(),
      headers: c.raw !== undefined ? { ...headers, 'content-type': 'application/json' } : headers,
      ...(c.raw !== undefined ? { payload: c.raw } : c.body ? { payload: c.body() as object } : {}),
    });
    expect(res.statusCode, res.body).toBe(c.status);
    const body = res.json();
    expect(body.error.code).toBe(c.code);
    expect(typeof body.error.message).toBe('string');
    if (c.field) expect(Object.keys(body.error.details ?? {})).toContain(c.field);
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });

  it('a sold-out event refuses with sold_out and keeps every other order', async () => {
    const small = await createEvent(ctx, { name: 'Tiny', ga: { price_cents: 500, capacity: 2 }, tables: [] });
    await buyPaid(ctx, small.id, { ga_quantity: 2 });
    const before = await dumpTables(ctx.database.db);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${small.id}/orders`,
      payload: orderBody(),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'sold_out', details: { available: 0 } });
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });

  it('an ended event refuses orders with event_ended', async () => {
    ctx.clock.set('2030-06-03T05:00:00Z');
    try {
      const before = await dumpTables(ctx.database.db);
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/orders`,
        payload: orderBody(),
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('event_ended');
      const patch = await ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/events/${event.id}`,
        headers: bearer(ctx.ownerToken),
        payload: { name: 'Late' },
      });
      expect(patch.statusCode).toBe(409);
      expect(patch.json().error.code).toBe('event_started');
      expect(await dumpTables(ctx.database.db)).toEqual(before);
    } finally {
      ctx.clock.set('2030-06-01T12:00:00Z');
    }
  });

  it('paying twice answers the same paid order and changes nothing the second time', async () => {
    const before = await dumpTables(ctx.database.db);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${paid.order_id}/pay-local`,
      headers: bearer(paid.manage_token),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('paid');
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });

  it('an unpaid ticket has no QR to draw', async () => {
    const view = (
      await ctx.app.inject({ url: `/api/v1/orders/${pending.order_id}`, headers: bearer(pending.manage_token) })
    ).json();
    const res = await ctx.app.inject({
      url: `/api/v1/tickets/${view.tickets[0].id}/qr.svg?token=${pending.manage_token}`,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('ticket_not_valid');
  });
});
