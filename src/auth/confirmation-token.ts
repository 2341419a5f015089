import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SalesStateItem {
  id: string;
  status: string;
}

/**
 * A token that names one exact state of an event's sales: an HMAC over the event id and every live
 * (pending or paid) order with its status, sorted. Any sale, payment or expiry since the preview
 * changes it, so an approval can only apply to the refund total the owner actually saw.
 */
export function salesStateToken(secret: string, eventId: string, orders: SalesStateItem[]): string {
  const state = orders
    .map((o) => `${o.id}:${o.status}`)
    .sort()
    .join(',');
  return createHmac('sha256', secret).update(`velvet-cancel.v1.${eventId}.${state}`).digest('base64url');
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
