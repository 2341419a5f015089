import { describe, expect, it } from 'vitest';
import { instantOf, wallClock } from './wall-clock.js';

describe("a venue's wall clock", () => {
  it('reads an instant in the venue’s zone, whatever the device’s', () => {
    expect(wallClock('2027-01-08T22:00:00.000Z', 'Europe/Berlin')).toBe('2027-01-08T23:00');
    expect(wallClock('2027-07-08T22:00:00.000Z', 'Europe/Berlin')).toBe('2027-07-09T00:00');
    expect(wallClock('2027-01-08T22:00:00.000Z', 'America/New_York')).toBe('2027-01-08T17:00');
  });

  it('turns the venue’s wall time back into the same instant, winter and summer', () => {
    expect(instantOf('2027-01-08T23:00', 'Europe/Berlin')).toBe('2027-01-08T22:00:00.000Z');
    expect(instantOf('2027-07-09T00:00', 'Europe/Berlin')).toBe('2027-07-08T22:00:00.000Z');
    expect(instantOf('2027-01-08T17:00', 'America/New_York')).toBe('2027-01-08T22:00:00.000Z');
    for (const iso of ['2027-03-28T00:30:00.000Z', '2027-03-28T01:30:00.000Z', '2027-10-31T00:30:00.000Z'])
      expect(instantOf(wallClock(iso, 'Europe/Berlin'), 'Europe/Berlin')).toBe(iso);
    // 02:30 happens twice in Berlin on 31 October 2027 (the clocks go back at 03:00): the first one.
    expect(instantOf('2027-10-31T02:30', 'Europe/Berlin')).toBe('2027-10-31T00:30:00.000Z');
  });

  it('across the spring-forward gap lands an hour later, as the clocks do; nothing for a non-time', () => {
    // 02:30 does not exist in Berlin on 28 March 2027: the clocks go from 02:00 to 03:00.
    expect(wallClock(instantOf('2027-03-28T02:30', 'Europe/Berlin'), 'Europe/Berlin')).toBe('2027-03-28T03:30');
    expect(instantOf('', 'Europe/Berlin')).toBe('');
    expect(instantOf('tomorrow', 'Europe/Berlin')).toBe('');
  });
});
