import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDoors } from './support/door.js';
import {
  bearer,
  buyPaid,
  createEvent,
  eventBody,
  startTestApp,
  type EventInfo,
  type TestContext,
} from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

// Input that once made the server answer 500: NUL bytes in strings (PostgreSQL text refuses them)
// and impossible timestamps. Each is now a clear 400 that changes nothing, or, inside an offline
// batch, a refusal of that item alone so one bad scan never stalls a scanner's queue.

let ctx: TestContext;
let event: EventInfo;
beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
});
afterAll(() => ctx.close());

const NUL = 'bad\u0000value';

async function refusedUnchanged(req: InjectOptions, field: string) {
  const before = await dumpTables(ctx.database.db);
  const res = await ctx.app.inject(req);
  expect(res.statusCode, res.body).toBe(400);
  expect(res.json().error.code).toBe('invalid_request');
  expect(Object.keys(res.json().error.details ?? {}).join(' ')).toContain(field);
  expect(await dumpTables(ctx.database.db)).toEqual(before);
}

describe('NUL and control characters', () => {
  it.each([
    [
      'order name',
      () => ({
        method: 'POST' as const,
        url: `/api/v1/events/${event.id}/orders`,
        payload: { email: 'a@b.test', name: NUL, ga_quantity: 1 },
      }),
      'name',
    ],
    [
      'event name',
      () => ({
        method: 'POST' as const,
        url: '/api/v1/events',
        headers: bearer(ctx.ownerToken),
        payload: eventBody({ name: NUL }),
      }),
      'name',
    ],
    [
      'tier name',
      () => ({
        method: 'POST' as const,
        url: '/api/v1/events',
        headers: bearer(ctx.ownerToken),
        payload: eventBody({ tiers: [{ name: NUL, price_cents: 1, capacity: 2 }], tables: [] }),
      }),
      'tiers',
    ],
    [
      'scanner_id',
      () => ({
        method: 'POST' as const,
        url: '/api/v1/scans',
        headers: bearer(ctx.staffToken),
        payload: { qr: 'x', scanner_id: NUL, event_id: event.id },
      }),
      'scanner_id',
    ],
    [
      'nonce',
      () => ({
        method: 'POST' as const,
        url: '/api/v1/scans',
        headers: bearer(ctx.staffToken),
        payload: { qr: 'x', scanner_id: 'd', event_id: event.id, nonce: NUL },
      }),
      'nonce',
    ],
    [
      'login e-mail',
      () => ({ method: 'POST' as const, url: '/api/v1/auth/login', payload: { email: NUL, password: 'whatever' } }),
      'email',
    ],
  ])('%s with a NUL byte is 400 invalid_request and changes nothing', async (_what, req, field) => {
    await refusedUnchanged(req(), field);
  });
});

describe('impossible timestamps', () => {
  it('year 0000 or 9999 in event create and reschedule is 400 naming the field', async () => {
    await refusedUnchanged(
      {
        method: 'POST',
        url: '/api/v1/events',
        headers: bearer(ctx.ownerToken),
        payload: eventBody({ starts_at: '0000-01-01T00:00:00Z' }),
      },
      'starts_at',
    );
    await refusedUnchanged(
      {
        method: 'POST',
        url: '/api/v1/events',
        headers: bearer(ctx.ownerToken),
        payload: eventBody({ ends_at: '9999-12-31T23:59:59Z' }),
      },
      'ends_at',
    );
    await refusedUnchanged(
      {
        method: 'PATCH',
        url: `/api/v1/events/${event.id}`,
        headers: bearer(ctx.ownerToken),
        payload: { starts_at: '0000-01-01T00:00:00Z' },
      },
      'starts_at',
    );
  });

  it('an offline scan dated year 0000 is refused alone; the rest of the batch is applied', async () => {
    const ticket = (await buyPaid(ctx, event.id)).view.tickets[0]!;
    openDoors(ctx, event);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans/batch',
      headers: bearer(ctx.staffToken),
      payload: {
        scanner_id: 'door-1',
        event_id: event.id,
        scans: [
          { qr: ticket.qr, scanned_at: '0000-01-01T00:00:00Z', offline_result: 'admitted' },
          { qr: ticket.qr, scanned_at: ctx.clock.now().toISOString(), offline_result: 'admitted' },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results.map((r: { result: string; reason?: string }) => [r.result, r.reason ?? null])).toEqual([
      ['rejected', 'scanned_at_invalid'],
      ['admitted', null],
    ]);
  });
});

describe('currencies', () => {
  it('lower-case currency codes are accepted and stored upper-case', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer(ctx.ownerToken),
      payload: eventBody({ currency: 'usd' }),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().currency).toBe('USD');
  });
});
