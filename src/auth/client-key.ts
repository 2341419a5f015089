import { createHmac } from 'node:crypto';

/**
 * What an order keeps of the client that placed it, for the hold limits: a keyed hash of the
 * client's network (client-address.ts). Equal networks give equal keys; the address itself is
 * never stored, and without the key (kept in the database with the others) a key names no address.
 */
export function clientKeyOf(key: string, network: string): string {
  return createHmac('sha256', key).update(`velvet-client:${network}`).digest('base64url').slice(0, 22);
}
