import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * A small Stripe-compatible API for tests, driven through the official SDK (`host/port/protocol`).
 * It keeps the parts of Stripe's behaviour Velvet relies on:
 *  - PaymentIntents: create, retrieve; `succeed()` plays the customer paying.
 *  - Refunds: create (by payment_intent), list. `Idempotency-Key` replay: the same key answers the
 *    stored response (header `Idempotent-Replayed: true`) and moves no money; the same key with
 *    other parameters is an idempotency_error. Refunding a fully refunded payment answers
 *    `charge_already_refunded`.
 *  - Faults: `inject()` queues 429s, 500s and slow responses for matching requests. A fault with
 *    `after: true` does the work first and then fails or stalls the response, like a timeout that
 *    hits after Stripe already moved the money; with `stored: true` the 500 is what the key
 *    replays from then on (Stripe's own behaviour).
 * Everything it did is inspectable: `refunds`, `refundCreations` per key, `requests`.
 * For load runs (the bench): `autoSucceed` has every new PaymentIntent paid at once, and
 * `limitPerSecond` answers 429 `rate_limit` to requests beyond that many in any sliding second,
 * as Stripe's own rate limiter does.
 */

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'succeeded';
  client_secret: string;
  metadata: Record<string, string>;
  receipt_email: string | null;
  created: number;
  amount_refunded: number;
}

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  status: 'succeeded';
  metadata: Record<string, string>;
  created: number;
}

export interface Fault {
  /** Which requests: method and a path prefix, e.g. `POST /v1/refunds`. */
  match: string;
  status?: 429 | 500;
  delayMs?: number;
  /** Apply after processing (the work is done; only the answer fails or is late). */
  after?: boolean;
  /** How many matching requests this fault applies to (default 1). */
  times?: number;
  /**
   * With `after` and a status: store the failure as the key's idempotent result, as real Stripe
   * does for a 500 once the endpoint started executing: every retry with that key replays the 500,
   * though the work (the refund) was done.
   */
  stored?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  status: number;
  replayed: boolean;
  at: number;
}

interface StoredResponse {
  fingerprint: string;
  status: number;
  body: unknown;
}

export class FakeStripe {
  readonly intents = new Map<string, PaymentIntent>();
  readonly refunds = new Map<string, Refund>();
  /** Refund objects actually created (not replayed) per idempotency key. */
  readonly refundCreations = new Map<string, number>();
  readonly requests: RecordedRequest[] = [];
  /** Called right after a refund is created, before its response is sent (e.g. to kill a client then). */
  onRefundCreated: ((refund: Refund, createdSoFar: number) => void) | undefined;
  autoSucceed = false;
  limitPerSecond: number | undefined;
  /** Requests answered 429 by `limitPerSecond`. */
  rateLimited = 0;
  private readonly recent: number[] = [];
  private readonly idempotent = new Map<string, StoredResponse>();
  private readonly faults: Array<Fault & { left: number }> = [];
  private server = createServer((req, res) => void this.handle(req, res));
  url = '';

  static async start(): Promise<FakeStripe> {
    const fake = new FakeStripe();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** The customer completes the payment; returns the `payment_intent.succeeded` event Stripe would send. */
  succeed(intentId: string): Stripe.Event {
    const pi = this.intents.get(intentId);
    if (!pi) throw new Error(`no payment intent ${intentId}`);
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    return this.event('payment_intent.succeeded', pi);
  }

  event(type: string, object: unknown): Stripe.Event {
    return {
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: '2025-01-01',
      created: Math.floor(Date.now() / 1000),
      type,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: structuredClone(object) },
    } as unknown as Stripe.Event;
  }

  refundsFor(intentId: string): Refund[] {
    return [...this.refunds.values()].filter((r) => r.payment_intent === intentId);
  }

  private takeFault(method: string, path: string, after: boolean): Fault | undefined {
    const i = this.faults.findIndex(
      (f) => f.left > 0 && Boolean(f.after) === after && `${method} ${path}`.startsWith(f.match),
    );
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (--f.left === 0) this.faults.splice(i, 1);
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const key = header(req, 'idempotency-key');
    const record = (status: number, replayed: boolean) =>
      this.requests.push({ method, path, idempotencyKey: key, status, replayed, at: performance.now() });

    if (header(req, 'authorization') !== undefined && !/^Bearer sk_test_\w+/.test(header(req, 'authorization')!)) {
      record(401, false);
      return send(res, 401, apiError('invalid_request_error', 'Invalid API Key provided', undefined));
    }
    if (this.limitPerSecond !== undefined) {
      const now = performance.now();
      while (this.recent.length && this.recent[0]! <= now - 1000) this.recent.shift();
      if (this.recent.length >= this.limitPerSecond) {
        this.rateLimited++;
        record(429, false);
        return send(res, 429, faultBody(429));
      }
      this.recent.push(now);
    }
    const before = this.takeFault(method, path, false);
    if (before?.delayMs) await sleep(before.delayMs);
    if (before?.status) {
      record(before.status, false);
      return send(res, before.status, faultBody(before.status));
    }

    const params = new URLSearchParams(method === 'GET' ? url.search : raw);
    let status: number;
    let body: unknown;
    let replayed = false;
    const stored = key && method === 'POST' ? this.idempotent.get(key) : undefined;
    const fingerprint = `${method} ${path} ${raw}`;
    if (stored) {
      replayed = true;
      ({ status, body } =
        stored.fingerprint === fingerprint
          ? stored
          : {
              status: 400,
              body: apiError(
                'idempotency_error',
                `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
                undefined,
              ),
            });
    } else {
      ({ status, body } = this.route(method, path, params, key));
      if (key && method === 'POST') this.idempotent.set(key, { fingerprint, status, body });
    }

    const after = this.takeFault(method, path, true);
    if (after?.delayMs) await sleep(after.delayMs);
    if (after?.status) {
      if (after.stored && key && method === 'POST')
        this.idempotent.set(key, { fingerprint, status: after.status, body: faultBody(after.status) });
      record(after.status, replayed);
      return send(res, after.status, faultBody(after.status));
    }
    record(status, replayed);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    send(res, status, body);
  }

  private route(
    method: string,
    path: string,
    p: URLSearchParams,
    key: string | undefined,
  ): { status: number; body: unknown } {
    const now = Math.floor(Date.now() / 1000);
    if (method === 'POST' && path === '/v1/payment_intents') {
      const amount = Number(p.get('amount'));
      if (!Number.isInteger(amount) || amount < 1) return bad('parameter_invalid_integer', 'Invalid amount');
      const id = `pi_${randomBytes(12).toString('hex')}`;
      const pi: PaymentIntent = {
        id,
        object: 'payment_intent',
        amount,
        amount_received: this.autoSucceed ? amount : 0,
        amount_refunded: 0,
        currency: p.get('currency') ?? 'eur',
        status: this.autoSucceed ? 'succeeded' : 'requires_payment_method',
        client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
        metadata: bracketed(p, 'metadata'),
        receipt_email: p.get('receipt_email'),
        created: now,
      };
      this.intents.set(id, pi);
      return { status: 200, body: pi };
    }
    const intentPath = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === 'GET' && intentPath) {
      const pi = this.intents.get(intentPath[1]!);
      return pi ? { status: 200, body: pi } : missing(`No such payment_intent: '${intentPath[1]}'`);
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const pi = this.intents.get(p.get('payment_intent') ?? '');
      if (!pi) return missing(`No such payment_intent: '${p.get('payment_intent')}'`);
      if (pi.status !== 'succeeded')
        return bad('payment_intent_unexpected_state', 'This PaymentIntent has no successful charge to refund.');
      const remaining = pi.amount_received - pi.amount_refunded;
      if (remaining <= 0) return bad('charge_already_refunded', `Charge for ${pi.id} has already been refunded.`);
      const amount = p.has('amount') ? Number(p.get('amount')) : remaining;
      if (!Number.isInteger(amount) || amount < 1 || amount > remaining) {
        return bad(
          'amount_too_large',
          `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
        );
      }
      const refund: Refund = {
        id: `re_${randomBytes(12).toString('hex')}`,
        object: 'refund',
        amount,
        currency: pi.currency,
        payment_intent: pi.id,
        status: 'succeeded',
        metadata: bracketed(p, 'metadata'),
        created: now,
      };
      pi.amount_refunded += amount;
      this.refunds.set(refund.id, refund);
      const k = key ?? refund.id;
      this.refundCreations.set(k, (this.refundCreations.get(k) ?? 0) + 1);
      this.onRefundCreated?.(refund, this.refunds.size);
      return { status: 200, body: refund };
    }
    if (method === 'GET' && path === '/v1/refunds') {
      const intent = p.get('payment_intent');
      const data = [...this.refunds.values()].filter((r) => !intent || r.payment_intent === intent).reverse();
      const limit = Number(p.get('limit') ?? 10);
      return {
        status: 200,
        body: { object: 'list', url: '/v1/refunds', has_more: data.length > limit, data: data.slice(0, limit) },
      };
    }
    return missing(`Unrecognized request URL (${method}: ${path}).`);
  }
}

/** Stripe-style nested form fields: `metadata[order_id]=…` → { order_id: … }. */
function bracketed(p: URLSearchParams, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of p) {
    const m = new RegExp(`^${name}\\[([^\\]]+)\\]$`).exec(k);
    if (m) out[m[1]!] = v;
  }
  return out;
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const apiError = (type: string, message: string, code: string | undefined) => ({
  error: { type, message, ...(code ? { code } : {}) },
});
const bad = (code: string, message: string) => ({
  status: 400,
  body: apiError('invalid_request_error', message, code),
});
const missing = (message: string) => ({
  status: 404,
  body: apiError('invalid_request_error', message, 'resource_missing'),
});
const faultBody = (status: number) =>
  status === 429
    ? apiError('invalid_request_error', 'Too many requests hit the API too quickly.', 'rate_limit')
    : apiError('api_error', 'Something went wrong on Stripe’s end.', undefined);

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(8).toString('hex')}` });
  res.end(JSON.stringify(body));
}

/** The environment that points a Velvet at this fake. */
export const stripeEnv = (fake: FakeStripe, extra: Record<string, string> = {}) => ({
  PAYMENT_PROVIDER: 'stripe',
  STRIPE_SECRET_KEY: 'sk_test_velvet',
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  STRIPE_PUBLISHABLE_KEY: 'pk_test_velvet',
  STRIPE_API_URL: fake.url,
  ...extra,
});

export const WEBHOOK_SECRET = 'whsec_test_velvet_secret';

/**
 * The body and headers Stripe would POST at `sentAt`, signed with the official SDK's test helper
 * (the server checks the signature's age against its own clock).
 */
export function signedWebhook(event: Stripe.Event, sentAt: Date, opts: { secret?: string } = {}) {
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? WEBHOOK_SECRET,
    timestamp: Math.floor(sentAt.getTime() / 1000),
  });
  return { payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
}
