import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a request comes from, as limits should count it: an IPv4 address as it is, an
 * IPv6 address by its /64 prefix. One IPv6 subscriber is handed a whole /64 and can use a fresh
 * address for every request, so counting full IPv6 addresses would let one client look like
 * millions. An IPv4-mapped IPv6 address (`::ffff:203.0.113.7`) is its IPv4 address.
 *
 * `ip` is Fastify's `request.ip`: the socket's peer, or the client named by a trusted proxy
 * (VELVET_TRUST_PROXY; see trust-proxy.ts).
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, in lower-case hex without leading zeros. */
function expandIPv6(ip: string): string[] {
  const bare = ip.replace(/%.*$/, '');
  // A trailing dotted quad (`::1.2.3.4`) is the last two groups.
  const withHex = bare.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_m, a: string, b: string, c: string, d: string) =>
      `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`,
  );
  const [head, tail] = withHex.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16).toString(16));
}
