import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './trust-proxy.js';

describe('parseTrustProxy', () => {
  it('is off unless told otherwise', () => {
    for (const v of [undefined, '', 'off', 'false', '0', 'OFF']) expect(parseTrustProxy(v)).toBe(false);
  });
  it('takes a hop count, or addresses and networks', () => {
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.1, 192.168.0.0/16,::1,fd00::/8,loopback')).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });
  it('refuses trusting everyone, and anything that is not an address', () => {
    expect(parseTrustProxy('true')).toHaveProperty('error');
    expect(parseTrustProxy('all')).toHaveProperty('error');
    expect(parseTrustProxy('proxy.example')).toHaveProperty('error');
    expect(parseTrustProxy('10.0.0.0/33')).toHaveProperty('error');
    expect(parseTrustProxy('10.0.0.1/8/1')).toHaveProperty('error');
  });
});
