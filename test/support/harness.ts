import { expect } from 'vitest';
import { signSessionToken } from '../../src/auth/session-tokens.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { findUserByEmail, insertUser } from '../../src/db/repos/users.repo.js';
import { buildApp, type App, type AppOptions, type RouteModule } from '../../src/http/app.js';
import type { PaymentProvider } from '../../src/payments/provider.js';
import { createDeps } from '../../src/runtime.js';
import type { AppDeps } from '../../src/services/deps.js';
import { openTestDatabase } from './database.js';
import type { z } from 'zod';
import type * as responses from '../../src/http/responses.js';

export interface TestContext {
  app: App;
  deps: AppDeps;
  clock: ManualClock;
  database: Database;
  ownerToken: string;
  staffToken: string;
  ownerId: string;
  staffId: string;
  close(): Promise<void>;
}

export interface TestOptions {
  env?: Record<string, string>;
  poolSize?: number;
  /** PostgreSQL's lock_timeout for this app's connections (VELVET_DB_LOCK_TIMEOUT_MS; default 5 s). */
  lockTimeoutMs?: number;
  payments?: PaymentProvider;
  extraRoutes?: RouteModule[];
  /** Serve the built web app too (see src/web/web-build.ts). */
  webRoot?: string;
  /** Fastify logger options (default: no logging). */
  logger?: AppOptions['logger'];
  /** Start of the frozen clock; the default sits a day before `eventTimes()`'s event. */
  now?: string;
  /** A database of the test's own (closed with the app) instead of a fresh scratch one. */
  database?: Database;
  /**
   * The database already holds the harness's owner and staff accounts (a restored backup): their
   * tokens, signed with the key that came with the data, are made for them again.
   */
  existingAccounts?: boolean;
}

export const T0 = '2030-06-01T12:00:00.000Z';

/**
 * Tests place many orders from one address and e-mail, and crowds in orders of up to 20 (the cap
 * before it was configurable), many of them left unpaid; the limits have tests of their own.
 */
export const UNLIMITED_ORDERS = {
  VELVET_ORDERS_PER_MINUTE_PER_ADDRESS: '1000000',
  VELVET_ORDERS_PER_MINUTE_PER_EMAIL: '1000000',
  VELVET_MAX_TICKETS_PER_ORDER: '20',
  VELVET_UNPAID_TICKETS_PER_ADDRESS: '1000000',
  VELVET_UNPAID_TABLES_PER_ADDRESS: '1000000',
  VELVET_HOLD_SHARE: '1',
};

/** A whole Velvet (real database, real HTTP stack via inject) with a frozen clock and two accounts. */
export async function startTestApp(opts: TestOptions = {}): Promise<TestContext> {
  const database =
    opts.database ?? (await openTestDatabase({ poolSize: opts.poolSize, lockTimeoutMs: opts.lockTimeoutMs }));
  const clock = new ManualClock(opts.now ?? T0);
  const config: Config = loadConfig({ VELVET_PUBLIC_URL: 'http://velvet.test', ...UNLIMITED_ORDERS, ...opts.env });
  const deps = await createDeps(config, { database, clock, ...(opts.payments ? { payments: opts.payments } : {}) });
  const app = await buildApp(deps, {
    extraRoutes: opts.extraRoutes ?? [],
    webRoot: opts.webRoot ?? null,
    logger: opts.logger ?? false,
  });
  // Accounts go straight into the table: scrypt's cost belongs to the login tests, not every file.
  const account = async (email: string, role: 'owner' | 'staff') =>
    opts.existingAccounts
      ? (await findUserByEmail(database.db, email))!
      : (await insertUser(database.db, { email, passwordHash: 'x', role }))!;
  const owner = await account('owner@test.local', 'owner');
  const staff = await account('staff@test.local', 'staff');
  const token = (sub: string, role: 'owner' | 'staff') =>
    signSessionToken(deps.keys.sessionSecret, { sub, role, exp: Math.floor(Date.parse('2100-01-01') / 1000) });
  return {
    app,
    deps,
    clock,
    database,
    ownerId: owner.id,
    staffId: staff.id,
    ownerToken: token(owner.id, 'owner'),
    staffToken: token(staff.id, 'staff'),
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A typical event a day after T0: GA 20.00 x capacity, Gold (8 people) and Silver (4 people) tables. */
export function eventBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Friday Night',
    starts_at: '2030-06-02T22:00:00.000Z',
    ends_at: '2030-06-03T05:00:00.000Z',
    currency: 'EUR',
    ga: { price_cents: 2000, capacity: 200 },
    tiers: [
      { name: 'Gold', price_cents: 50000, capacity: 8, min_spend_cents: 100000 },
      { name: 'Silver', price_cents: 20000, capacity: 4 },
    ],
    tables: [
      { number: 1, tier: 'Gold', x: 10, y: 10 },
      { number: 2, tier: 'Gold', x: 30, y: 10 },
      { number: 3, tier: 'Silver', x: 50, y: 10 },
    ],
    ...overrides,
  };
}

/** An event as POST /events answers (the server's schema). */
export type EventInfo = z.output<typeof responses.eventView>;

export async function createEvent(ctx: TestContext, overrides: Record<string, unknown> = {}): Promise<EventInfo> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: bearer(ctx.ownerToken),
    payload: eventBody(overrides),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export type PlacedOrder = z.output<typeof responses.placedOrder>;

let buyers = 0;

export async function placeOrder(
  ctx: TestContext,
  eventId: string,
  body: {
    ga_quantity?: number;
    table_id?: string;
    name?: string;
    email?: string;
    holder_names?: string[];
    age_confirmed?: boolean;
    promoter_code?: string;
    locale?: string;
  } = {},
  headers: Record<string, string> = {},
): Promise<PlacedOrder> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/orders`,
    headers,
    // A buyer of their own: one e-mail may hold one unpaid table per event.
    payload: { email: `buyer-${++buyers}@example.com`, name: 'Buyer', ga_quantity: 1, ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function payOrder(ctx: TestContext, order: PlacedOrder) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orders/${order.order_id}/pay-local`,
    headers: bearer(order.manage_token),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Places and pays an order; returns the order view (tickets with their QR strings). */
export async function buyPaid(ctx: TestContext, eventId: string, body: Parameters<typeof placeOrder>[2] = {}) {
  const placed = await placeOrder(ctx, eventId, body);
  const view = await payOrder(ctx, placed);
  return { ...placed, view } as PlacedOrder & { view: OrderViewJson };
}

export type OrderViewJson = z.output<typeof responses.orderView>;

export type FloorTableJson = z.output<typeof responses.floorTable>;

/** The event's floor plan as staff see it (`GET /events/:id/floor-plan`), tables by number. */
export async function floorTables(ctx: TestContext, eventId: string): Promise<FloorTableJson[]> {
  const res = await ctx.app.inject({ url: `/api/v1/events/${eventId}/floor-plan`, headers: bearer(ctx.staffToken) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().tables;
}
