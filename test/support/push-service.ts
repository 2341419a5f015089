import { createECDH, createPublicKey, randomBytes, randomUUID, verify, type ECDH } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt } from 'http_ece';

/** What a browser's PushSubscription.toJSON() gives. */
export interface SubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  subscription: string;
  /** The payload, decrypted with the subscription's own private key and auth secret (RFC 8291). */
  payload: unknown;
  ttl: number;
  urgency: string | undefined;
  /** When it arrived (Date.now()). */
  at: number;
}

export interface TestPushService {
  url: string;
  received: ReceivedPush[];
  /** Requests refused, with why (bad VAPID signature, wrong key, undecryptable). */
  refused: string[];
  /** A browser subscribes with the server's VAPID public key: the subscription it would hand the page. */
  subscribe(applicationServerKey: string): SubscriptionJson;
  /** From now on this subscription answers 410 Gone (the user revoked the permission). */
  expire(endpoint: string): void;
  /** While set, every push is answered 503 (a push service under load). */
  unavailable: boolean;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  close(): Promise<void>;
}

interface Subscriber {
  ecdh: ECDH;
  auth: Buffer;
  serverKey: string;
  gone: boolean;
}

/**
 * A Web Push service in this process, doing what FCM or Mozilla's autopush do with a message:
 * check the VAPID JWT (RFC 8292: ES256 over the sender's key, `aud` = this origin, not expired,
 * signed by the key the subscription was made with), then hand the body to the "browser", which
 * decrypts it (RFC 8291, aes128gcm) with the subscription's private key and auth secret. Nothing
 * is taken on trust: a payload that does not decrypt is refused and recorded.
 */
export async function startTestPushService(): Promise<TestPushService> {
  const subs = new Map<string, Subscriber>();
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    void handle(req).then(
      ([status, why]) => {
        if (why) state.refused.push(why);
        res.writeHead(status).end(why ?? '');
        for (const w of [...waiters]) w();
      },
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage): Promise<[number, string?]> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
    const sub = id ? subs.get(id) : undefined;
    if (req.method !== 'POST' || !id || !sub) return [404, 'no such subscription'];
    if (sub.gone) return [410];
    if (state.unavailable) return [503];
    const auth = /^vapid t=([^,\s]+),\s*k=([\w-]+)$/.exec(req.headers.authorization ?? '');
    if (!auth) return [401, `no VAPID authorization: ${req.headers.authorization}`];
    const [, jwt, key] = auth;
    if (key !== sub.serverKey) return [403, 'signed by another key than the subscription was made with'];
    const problem = checkJwt(jwt!, key!, origin);
    if (problem) return [403, problem];
    if (req.headers['content-encoding'] !== 'aes128gcm')
      return [415, `content-encoding ${req.headers['content-encoding']}`];
    let payload: unknown;
    try {
      payload = JSON.parse(
        decrypt(Buffer.concat(chunks), { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: sub.auth }).toString(
          'utf8',
        ),
      );
    } catch (err) {
      return [400, `payload does not decrypt: ${(err as Error).message}`];
    }
    state.received.push({
      subscription: `${origin}/push/${id}`,
      payload,
      ttl: Number(req.headers.ttl),
      urgency: req.headers.urgency as string | undefined,
      at: Date.now(),
    });
    return [201];
  }

  const state: TestPushService = {
    url: origin,
    received: [],
    refused: [],
    unavailable: false,
    subscribe(applicationServerKey) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const id = randomUUID();
      const auth = randomBytes(16);
      subs.set(id, { ecdh, auth, serverKey: applicationServerKey, gone: false });
      return {
        endpoint: `${origin}/push/${id}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    expire(endpoint) {
      const sub = subs.get(endpoint.split('/').pop()!);
      if (sub) sub.gone = true;
    },
    waitFor: (count, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (state.received.length < count) return;
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve(state.received);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(
            new Error(`expected ${count} pushes, got ${state.received.length} (refused: ${state.refused.join('; ')})`),
          );
        }, timeoutMs);
        waiters.push(check);
        check();
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return state;
}

/** RFC 8292: an ES256 JWT whose `aud` is the push service's origin and `exp` within 24 h. */
function checkJwt(jwt: string, rawKey: string, origin: string): string | null {
  const [header, body, signature] = jwt.split('.');
  if (!header || !body || !signature) return 'the VAPID token is not a JWT';
  const point = Buffer.from(rawKey, 'base64url');
  if (point.length !== 65 || point[0] !== 4) return 'the VAPID key is not an uncompressed P-256 point';
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${body}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) return 'the VAPID signature does not verify';
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
    aud?: string;
    exp?: number;
    sub?: string;
  };
  if (claims.aud !== origin) return `VAPID aud ${claims.aud} is not ${origin}`;
  const now = Date.now() / 1000;
  if (!claims.exp || claims.exp < now || claims.exp > now + 24 * 3600 + 60)
    return `VAPID exp ${claims.exp} is not within 24 h`;
  if (!claims.sub || !/^(mailto:|https:)/.test(claims.sub)) return `VAPID sub ${claims.sub} is not a contact`;
  return null;
}
