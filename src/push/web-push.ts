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
export async function sendPush(target: PushTarget, payload: string, signing: PushSigning, opts: { ttlSeconds: number; timeoutMs: number }): Promise<PushOutcome> {
  const request = webPush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
    vapidDetails: { subject: signing.contact, publicKey: signing.vapid.publicKey, privateKey: signing.vapid.privateKey },
    TTL: opts.ttlSeconds,
    urgency: 'high',
  });
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
