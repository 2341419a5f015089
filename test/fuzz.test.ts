import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buyPaid,
  createEvent,
  eventBody,
  placeOrder,
  startTestApp,
  type EventInfo,
  type TestContext,
} from './support/harness.js';
import { addUser } from '../src/services/accounts/accounts.service.js';
import { anyJson, invalidBody, nastyString } from './support/hostile.js';
import { openApiDocument, operations, type Operation } from './support/openapi.js';
import { dumpTables } from './support/snapshot.js';

/**
 * Fuzzing every operation of the OpenAPI document (so an endpoint added tomorrow is fuzzed too):
 * malformed and hostile input (wrong types, NUL and control characters, huge and tiny numbers,
 * years 0000 and 9999, deep nesting, unknown fields, wrong content types, garbage ids), sent as
 * anonymous, with a garbage token, as a buyer, as staff and as the owner. Never a 5xx, and never a
 * changed database (all tables compared before and after every few requests).
 *
 * Replay a failure with `VELVET_FUZZ_SEED=<seed> npx vitest run test/fuzz.test.ts`;
 * `VELVET_FUZZ_RUNS` sets how many requests (default 600).
 */
const SEED = Number(process.env.VELVET_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.VELVET_FUZZ_RUNS ?? 600);
const CHECK_EVERY = 20;

let ctx: TestContext;
let ops: Operation[];
let realIds: string[];
let tokens: Record<string, string | undefined>;
let event: EventInfo;
let paid: Awaited<ReturnType<typeof buyPaid>>;
/** GA tickets to send on, one per fuzzed transfer (a sent ticket is no longer its buyer's). */
let giveaway: Awaited<ReturnType<typeof buyPaid>>;
let transfers = 0;
let fuzzUserId: string;

beforeAll(async () => {
  ctx = await startTestApp();
  ops = operations(await openApiDocument(ctx.app));
  event = await createEvent(ctx);
  paid = await buyPaid(ctx, event.id, { ga_quantity: 1, table_id: event.tables[0]!.id });
  giveaway = await buyPaid(ctx, event.id, { ga_quantity: 20 });
  const pending = await placeOrder(ctx, event.id);
  fuzzUserId = (await addUser(ctx.deps, { email: 'fuzz-account@x.test', password: 'fuzz-password', role: 'staff' })).id;
  realIds = [
    event.id,
    paid.order_id,
    paid.view.tickets[0]!.id,
    paid.view.reservation!.id,
    pending.order_id,
    event.tables[1]!.id,
  ];
  tokens = {
    anonymous: undefined,
    garbage: 'garbage.token.value',
    buyer: paid.manage_token,
    staff: ctx.staffToken,
    owner: ctx.ownerToken,
  };
});
afterAll(() => ctx.close());

interface Attack {
  /** `METHOD /path` of the operation (short in a counterexample); `opOf` finds it. */
  key: string;
  who: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  contentType: 'json' | 'text' | 'broken-json' | 'none';
}

/** Path parameters: never a real id where the operation writes (a valid id + valid token would be a valid request). */
function paramArb(op: Operation): fc.Arbitrary<Record<string, string>> {
  const names = (op.op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
  const writes = op.method !== 'GET' || op.path.endsWith('/stream');
  const value = writes
    ? fc.oneof(
        fc.uuid(),
        nastyString.filter((s) => s.length > 0),
      )
    : fc.oneof(
        fc.constantFrom(...realIds),
        fc.uuid(),
        nastyString.filter((s) => s.length > 0),
      );
  return fc.record(Object.fromEntries(names.map((n) => [n, value])));
}

function queryArb(op: Operation): fc.Arbitrary<Record<string, unknown>> {
  const names = (op.op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  return fc.record(
    Object.fromEntries(
      [...names, 'junk'].map((n) => [n, fc.oneof(nastyString, fc.integer(), fc.constant(['a', 'b']))]),
    ),
    { requiredKeys: [] },
  );
}

const opOf = (a: Pick<Attack, 'key'>) => ops.find((o) => `${o.method} ${o.path}` === a.key)!;

/** Percent-encodes the UTF-8 bytes, as a client would (a lone surrogate becomes U+FFFD, never a throw). */
const encode = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');

function attackArb(): fc.Arbitrary<Attack> {
  return fc.constantFrom(...ops).chain((op) => {
    const bodySchema = op.op.requestBody?.content['application/json']?.schema;
    // With a body: it is surely invalid. Without one (or for the Stripe webhook, which reads the
    // raw body): anything, the ids or the token being what is wrong.
    const body =
      bodySchema && !op.path.includes('webhooks') ? invalidBody(bodySchema) : fc.option(anyJson, { nil: undefined });
    return fc.record({
      key: fc.constant(`${op.method} ${op.path}`),
      who: fc.constantFrom(...Object.keys(tokens)),
      params: paramArb(op),
      query: queryArb(op),
      body,
      contentType: fc.constantFrom('json', 'json', 'json', 'text', 'broken-json', 'none'),
    });
  });
}

function urlOf(a: Attack): string {
  const path = opOf(a).path.replace(/\{([^}]+)\}/g, (_, n: string) => encode(a.params[n] ?? 'x'));
  // `token` in the query is a credential: a real one only as the chosen caller's.
  const q = Object.entries(a.query)
    .filter(([k]) => k !== 'token')
    .map(([k, v]) => `${encode(k)}=${encode(Array.isArray(v) ? v.join(',') : String(v))}`)
    .join('&');
  return q ? `${path}?${q}` : path;
}

async function send(a: Attack) {
  const headers: Record<string, string> = {};
  const token = tokens[a.who];
  if (token) Object.assign(headers, bearer(token));
  let payload: string | undefined;
  const op = opOf(a);
  if (a.body !== undefined && op.method !== 'GET') {
    if (a.contentType === 'json') {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(a.body);
    } else if (a.contentType === 'text') {
      headers['content-type'] = 'text/plain';
      payload = String(JSON.stringify(a.body));
    } else if (a.contentType === 'broken-json') {
      headers['content-type'] = 'application/json';
      payload = `${JSON.stringify(a.body)}{`.slice(1);
    }
  }
  return ctx.app.inject({
    method: op.method as 'GET',
    url: urlOf(a),
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
}

describe(`fuzzing every operation from the OpenAPI document (seed ${SEED}, ${RUNS} requests)`, () => {
  it('never answers 5xx and never changes the database', { timeout: 300_000 }, async () => {
    console.log(`fuzz seed ${SEED} (replay: VELVET_FUZZ_SEED=${SEED})`);
    const before = await dumpTables(ctx.database.db);
    const recent: string[] = [];
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(attackArb(), async (a) => {
        const res = await send(a);
        const line = `${opOf(a).method} ${urlOf(a)} as ${a.who} (${a.contentType}) ${JSON.stringify(a.body)?.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        recent.push(line);
        if (recent.length > CHECK_EVERY) recent.shift();
        expect(res.statusCode, line).toBeLessThan(500);
        if (++sent % CHECK_EVERY === 0) {
          const now = await dumpTables(ctx.database.db);
          expect(now, `the database changed during:\n${recent.join('\n')}`).toEqual(before);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });
});

/**
 * Valid requests with one hostile string in them (NUL, control characters, SQL, markup, 5,000
 * characters, lone surrogates…): the database may change (they are valid requests), but the
 * answer is never a 5xx. Every operation with a body needs an example here.
 */
const EXAMPLES: Record<string, () => { url: string; token?: string; body: Record<string, unknown> }> = {
  'POST /api/v1/auth/login': () => ({
    url: '/api/v1/auth/login',
    body: { email: 'who@x.test', password: 'whatever-1' },
  }),
  'POST /api/v1/events': () => ({ url: '/api/v1/events', token: ctx.ownerToken, body: eventBody() }),
  'PUT /api/v1/events/{id}/layout': () => ({
    url: `/api/v1/events/${event.id}/layout`,
    token: ctx.ownerToken,
    body: {
      ga: { price_cents: 2000, capacity: 200 },
      tiers: [{ name: 'Gold', price_cents: 1, capacity: 8 }],
      tables: [{ number: 1, tier: 'Gold', x: 1, y: 1 }],
    },
  }),
  'PATCH /api/v1/events/{id}': () => ({
    url: `/api/v1/events/${event.id}`,
    token: ctx.ownerToken,
    body: { name: 'Renamed' },
  }),
  'PUT /api/v1/events/{id}/details': () => ({
    url: `/api/v1/events/${event.id}/details`,
    token: ctx.ownerToken,
    body: { venue_name: 'The Vault', venue_address: '1 Main St', description: 'House all night' },
  }),
  'POST /api/v1/events/{id}/orders': () => ({
    url: `/api/v1/events/${event.id}/orders`,
    body: { email: 'h@x.test', name: 'H', ga_quantity: 1 },
  }),
  'PATCH /api/v1/tickets/{id}': () => ({
    url: `/api/v1/tickets/${paid.view.tickets[0]!.id}`,
    token: paid.manage_token,
    body: { holder_name: 'New Name' },
  }),
  'POST /api/v1/users': () => ({
    url: '/api/v1/users',
    token: ctx.ownerToken,
    body: { email: 'fuzz-new@x.test', password: 'long-enough', role: 'staff', name: 'Fuzz' },
  }),
  // Its own account: a fuzzed password reset must not log out the staff token the other cases use.
  'PATCH /api/v1/users/{id}': () => ({
    url: `/api/v1/users/${fuzzUserId}`,
    token: ctx.ownerToken,
    body: { name: 'Fuzzed', password: 'long-enough-2' },
  }),
  'POST /api/v1/orders/{id}/refund': () => ({
    url: `/api/v1/orders/${paid.order_id}/refund`,
    token: ctx.ownerToken,
    body: { amount_cents: 1 },
  }),
  'POST /api/v1/tickets/{id}/link': () => ({
    url: `/api/v1/tickets/${paid.view.tickets[0]!.id}/link`,
    token: paid.manage_token,
    body: { invite_code: 'ABCDEFGH' },
  }),
  'POST /api/passkit/v1/devices/{device}/registrations/{pass_type}/{serial}': () => ({
    url: `/api/passkit/v1/devices/phone-1/registrations/pass.test.velvet/${paid.view.tickets[0]!.id}.0`,
    body: { pushToken: 'push-token' },
  }),
  'POST /api/passkit/v1/log': () => ({ url: '/api/passkit/v1/log', body: { logs: ['a problem'] } }),
  'POST /api/v1/events/{id}/waitlist': () => ({
    url: `/api/v1/events/${event.id}/waitlist`,
    body: { email: 'waiting@x.test', name: 'Fuzz Waiting', quantity: 1 },
  }),
  'POST /api/v1/tickets/{id}/transfer': () => ({
    url: `/api/v1/tickets/${giveaway.view.tickets[transfers++ % giveaway.view.tickets.length]!.id}/transfer`,
    token: giveaway.manage_token,
    body: { email: 'friend@x.test', name: 'Fuzz Friend' },
  }),
  'PUT /api/v1/reservations/{id}/guest-transfers': () => ({
    url: `/api/v1/reservations/${paid.view.reservation!.id}/guest-transfers`,
    token: paid.manage_token,
    body: { allowed: true },
  }),
  'POST /api/v1/reservations/{id}/guests': () => ({
    url: `/api/v1/reservations/${paid.view.reservation!.id}/guests`,
    token: ctx.staffToken,
    body: { ticket_id: paid.view.tickets[0]!.id },
  }),
  'PUT /api/v1/reservations/{id}/push-subscription': () => ({
    url: `/api/v1/reservations/${paid.view.reservation!.id}/push-subscription`,
    token: paid.manage_token,
    body: {
      endpoint: 'https://push.example.com/send/abc',
      keys: {
        p256dh: 'BE35w7E4mfV-fkeTs2KowMq5JHB5pQ0Ev8dQwetCEy27XPu96iGXA-H76JOLDmcI3GU18KTxOLQi8IVr0iHnfO0',
        auth: 'fk9Y9womEzZ6MVn1F9bhdQ',
      },
    },
  }),
  'DELETE /api/v1/reservations/{id}/push-subscription': () => ({
    url: `/api/v1/reservations/${paid.view.reservation!.id}/push-subscription`,
    token: paid.manage_token,
    body: { endpoint: 'https://push.example.com/send/abc' },
  }),
  'POST /api/v1/promoters': () => ({
    url: '/api/v1/promoters',
    token: ctx.ownerToken,
    body: { name: 'Fuzz Promoter', code: 'fuzz-promoter' },
  }),
  'POST /api/v1/refused': () => ({
    url: '/api/v1/refused',
    token: ctx.ownerToken,
    body: { name: 'Fuzz Person', email: 'fuzz-refused@x.test', reason: 'Fuzzed' },
  }),
  'POST /api/v1/scans': () => ({
    url: '/api/v1/scans',
    token: ctx.staffToken,
    body: { qr: 'V1.x.y', scanner_id: 'door-1', event_id: event.id, nonce: 'n' },
  }),
  'POST /api/v1/scans/batch': () => ({
    url: '/api/v1/scans/batch',
    token: ctx.staffToken,
    body: {
      scanner_id: 'door-1',
      event_id: event.id,
      scans: [{ qr: 'V1.x.y', scanned_at: '2030-06-01T12:00:00Z', offline_result: 'admitted', nonce: 'n' }],
    },
  }),
  'POST /api/v1/events/{id}/cancel': () => ({
    url: `/api/v1/events/${event.id}/cancel`,
    token: ctx.ownerToken,
    body: { confirmation_token: 'x.y' },
  }),
};

/** Every string anywhere in `body`, by path. */
function stringPaths(v: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof v === 'string') return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringPaths(x, [...path, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => stringPaths(x, [...path, k]));
  return [];
}

function setAt(body: Record<string, unknown>, path: Array<string | number>, value: string): Record<string, unknown> {
  const copy = structuredClone(body);
  let node: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

describe(`valid requests with one hostile string (seed ${SEED})`, () => {
  it('every operation with a body has an example to fuzz from', () => {
    const withBody = ops
      .filter((o) => o.op.requestBody && !o.path.includes('webhooks'))
      .map((o) => `${o.method} ${o.path}`);
    expect(withBody.filter((k) => !EXAMPLES[k])).toEqual([]);
  });

  it('never answers 5xx', { timeout: 300_000 }, async () => {
    const cases = Object.keys(EXAMPLES).flatMap((key) =>
      stringPaths(EXAMPLES[key]!().body).map((path) => ({ key, path })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), nastyString, async ({ key, path }, hostile) => {
        const ex = EXAMPLES[key]!();
        const body = setAt(ex.body, path, hostile);
        const res = await ctx.app.inject({
          method: key.split(' ')[0] as 'POST',
          url: ex.url,
          headers: ex.token ? bearer(ex.token) : {},
          payload: body,
        });
        expect(
          res.statusCode,
          `${key} with ${path.join('.')} = ${JSON.stringify(hostile).slice(0, 80)} → ${res.body.slice(0, 200)}`,
        ).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 2), endOnFailure: true },
    );
  });
});
