import { isIP } from 'node:net';

/**
 * Which proxies may name the client (X-Forwarded-For), as Fastify's `trustProxy` takes it:
 * `false` (the socket's peer is the client), a number of proxy hops in front of Velvet, or the
 * addresses and networks of the proxies. Every limit that counts clients (orders, holds, logins,
 * invites, connections) keys on the address this decides. Trusting every proxy (`true`) is not
 * offered: then any client could name itself anything and walk past every limit.
 */
export type TrustProxy = false | number | string[];

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `off`, a hop count (`1`), or a comma-separated list of addresses, CIDR networks or proxy-addr names. */
export function parseTrustProxy(value: string | undefined): TrustProxy | { error: string } {
  const v = (value ?? '').trim();
  if (v === '' || /^(off|false|no|0)$/i.test(v)) return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (/^(on|true|yes|all)$/i.test(v))
    return {
      error:
        'trusting every proxy lets any client choose its own address; give the number of proxies in front of Velvet (1) or their addresses',
    };
  const entries = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = entries.find((e) => !NAMED.has(e) && !isAddressOrNetwork(e));
  if (bad !== undefined)
    return { error: `"${bad}" is not an address, a CIDR network or one of ${[...NAMED].join(', ')}` };
  return entries;
}

function isAddressOrNetwork(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (!family) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The setting as Fastify's `trustProxy` option (whose types take a hop count only as a function). */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}
