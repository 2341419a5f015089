import { describe, expect, it } from 'vitest';
import { checkConfirmation, salesStateToken, tokensEqual } from './confirmation-token.js';

const E = '11111111-1111-4111-8111-111111111111';
const a = { id: 'aaaaaaaa-0000-4000-8000-000000000000', status: 'paid' };
const b = { id: 'bbbbbbbb-0000-4000-8000-000000000000', status: 'pending' };

describe('salesStateToken', () => {
  it('names the state, not the order rows came in', () => {
    expect(salesStateToken('s', E, [a, b])).toBe(salesStateToken('s', E, [b, a]));
  });
  it('changes with any sale, payment or expiry, with the event and with the secret', () => {
    const base = salesStateToken('s', E, [a, b]);
    expect(salesStateToken('s', E, [a])).not.toBe(base);
    expect(salesStateToken('s', E, [a, { ...b, status: 'paid' }])).not.toBe(base);
    expect(salesStateToken('s', E.replace('1', '2'), [a, b])).not.toBe(base);
    expect(salesStateToken('t', E, [a, b])).not.toBe(base);
  });
  it('tells a stale token (ours, sales moved) from one that is not ours at all', () => {
    const token = salesStateToken('s', E, [a, b]);
    expect(checkConfirmation('s', E, [a, b], token)).toBe('ok');
    expect(checkConfirmation('s', E, [a], token)).toBe('stale');
    expect(checkConfirmation('s', E, [a, b], 'garbage')).toBe('invalid');
    expect(checkConfirmation('s', E, [a, b], `${token}x`)).toBe('invalid');
    expect(checkConfirmation('t', E, [a, b], token)).toBe('invalid');
    expect(checkConfirmation('s', E.replace('1', '2'), [a, b], token)).toBe('invalid');
  });
  it('compares in constant time and handles different lengths', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
  });
});
