import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SalesStateItem {
  id: string;
  status: string;
}

/**
 * A token that names one exact state of an event's sales, as `<state>.<signature>`: `state` hashes
 * the event's live (pending or paid) orders with their statuses, sorted; `signature` is an HMAC
 * over the event id and that state. Any sale, payment or expiry since the preview changes the
 * state, so an approval can only apply to the refund total the owner actually saw. The signature
 * tells a stale token (ours, for this event, but sales moved) from one that is not ours at all.
 */
export function salesStateToken(secret: string, eventId: string, orders: SalesStateItem[]): string {
  const state = stateOf(orders);
  return `${state}.${sign(secret, eventId, state)}`;
}

/** `ok`, `stale` (issued for this event, but sales changed since) or `invalid` (not issued by us for it). */
export function checkConfirmation(
  secret: string,
  eventId: string,
  orders: SalesStateItem[],
  token: string,
): 'ok' | 'stale' | 'invalid' {
  const [state, signature, extra] = token.split('.');
  if (!state || !signature || extra !== undefined || !tokensEqual(signature, sign(secret, eventId, state)))
    return 'invalid';
  return tokensEqual(state, stateOf(orders)) ? 'ok' : 'stale';
}

function stateOf(orders: SalesStateItem[]): string {
  const state = orders
    .map((o) => `${o.id}:${o.status}`)
    .sort()
    .join(',');
  return createHash('sha256').update(state).digest('base64url').slice(0, 32);
}

const sign = (secret: string, eventId: string, state: string) =>
  createHmac('sha256', secret).update(`velvet-cancel.v2.${eventId}.${state}`).digest('base64url');

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
