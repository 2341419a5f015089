import { describe, expect, it } from 'vitest';
import { nestedBeyond } from './json-body.js';

describe('nestedBeyond', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(nestedBeyond('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(nestedBeyond('{"a":[{"b":[[1]]}]}', 4)).toBe(true);
    expect(nestedBeyond('{"a":"[[[[[[[[[[{{{{{"}', 2)).toBe(false);
    expect(nestedBeyond('{"a":"\\\\"}', 1)).toBe(false);
    expect(nestedBeyond('{"a":"\\"[[[[["}', 1)).toBe(false);
    expect(nestedBeyond('['.repeat(100_000), 16)).toBe(true);
    expect(nestedBeyond('[]'.repeat(100), 1)).toBe(false);
  });
});
