import { describe, expect, it } from 'vitest';
import { clientNetwork } from './client-address.js';

describe('clientNetwork', () => {
  it('keeps IPv4 addresses, and the IPv4 inside an IPv4-mapped IPv6 address', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::FFFF:198.51.100.1')).toBe('198.51.100.1');
  });

  it('counts an IPv6 client by its /64, however the address is written', () => {
    const a = clientNetwork('2001:db8:85a3:12::8a2e:370:7334');
    expect(a).toBe('2001:db8:85a3:12::/64');
    expect(clientNetwork('2001:0DB8:85A3:0012:ffff:ffff:ffff:1')).toBe(a);
    expect(clientNetwork('2001:db8:85a3:12::1')).toBe(a);
    expect(clientNetwork('2001:db8:85a3:13::1')).not.toBe(a);
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientNetwork('::ffff:0:1.2.3.4')).toBe('0:0:0:0::/64');
  });
});
