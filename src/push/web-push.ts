import webPush from 'web-push';
import type { PushTarget } from '../db/repos/pushes.repo.js';

export interface PushSigning {
  vapid: { publicKey: string; privateKey: string };
  /** VAPID `sub`: a mailto: or https: URL the push service may contact. */
  contact: string;
}

/** What the push service made of one message. */
export type PushOutcome =
  | { kind: 'delivered' }
  /** 404/410: the browser unsubscribed or the subscription expired; it will never work again. */
  | { kind: 'gone'; status: number }
  /** A network failure, 429 or 5xx: worth trying again later. */
  | { kind: 'retry'; error: string }
  /** Anything else (our request was refused: bad keys, too large): trying again would not help. */
  | { kind: 'refused'; error: string };

/**
 * Sends one encrypted message. The `web-push` library does the hard, solved parts (the payload's
 * RFC 8291 encryption and the RFC 8292 VAPID signature); the request itself goes through fetch, so
 * it has a real timeout and the answer is classified here. `ttlSeconds` is how long the push
 * service keeps it for a phone that is off: an arrival a host learns of hours later is noise.
 */
export async function sendPush(
  target: PushTarget,
  payload: string,
  signing: PushSigning,
  opts: { ttlSeconds: number; timeoutMs: number },
): Promise<PushOutcome> {
  const request = webPush.generateRequestDetails(
    { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
    payload,
    {
      TTL: opts.ttlSeconds,
      urgency: 'high',
    },
  );
  request.headers.Authorization = vapidAuthorization(request.endpoint, signing);
  let status: number;
  let body = '';
  try {
    const res = await fetch(request.endpoint, {
      method: request.method,
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
      body: new Uint8Array(request.body as Buffer),
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
    status = res.status;
    if (!res.ok) body = (await res.text().catch(() => '')).slice(0, 200);
    else await res.body?.cancel();
  } catch (err) {
    return { kind: 'retry', error: `push service unreachable: ${(err as Error).message}` };
  }
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 404 || status === 410) return { kind: 'gone', status };
  const error = `push service answered ${status}${body ? `: ${body}` : ''}`;
  return status === 429 || status >= 500 ? { kind: 'retry', error } : { kind: 'refused', error };
}

/** A VAPID token is valid up to 24 h (RFC 8292); one is made per push service and reused for 11 of the 12 h it is made for. */
const VAPID_VALID_S = 12 * 3600;
const VAPID_REUSE_MS = 11 * 3600_000;
const vapidTokens = new Map<string, { authorization: string; until: number }>();

/**
 * The `Authorization: vapid t=…, k=…` header for the endpoint's push service. The token names only
 * the push service's origin, our contact and an expiry, so one serves every message to that
 * service for hours: signing one per message (web-push's way: a PEM encoding and an ECDSA
 * signature, in JS) was CPU the door's cores pay for during a rush of arrivals.
 */
function vapidAuthorization(endpoint: string, signing: PushSigning, now = Date.now()): string {
  const audience = new URL(endpoint).origin;
  const key = `${audience}\n${signing.contact}\n${signing.vapid.publicKey}`;
  const cached = vapidTokens.get(key);
  if (cached && cached.until > now) return cached.authorization;
  const { Authorization } = webPush.getVapidHeaders(
    audience,
    signing.contact,
    signing.vapid.publicKey,
    signing.vapid.privateKey,
    'aes128gcm',
    Math.floor(now / 1000) + VAPID_VALID_S,
  );
  // A handful of push services exist (FCM, Mozilla, Apple, Microsoft): a cache past that is a mistake, start over.
  if (vapidTokens.size >= 64) vapidTokens.clear();
  vapidTokens.set(key, { authorization: Authorization, until: now + VAPID_REUSE_MS });
  return Authorization;
}
