import { describe, expect, it } from 'vitest';
import { localParts, nextNight, tonightsSession, zonedInstant } from './demo-week.js';

const BERLIN = 'Europe/Berlin';

describe('the demo club week', () => {
  it('finds the wall clock hour in a zone, on both sides of a daylight saving change', () => {
    expect(zonedInstant(2026, 7, 3, 23, BERLIN).toISOString()).toBe('2026-07-03T21:00:00.000Z'); // CEST, +2
    expect(zonedInstant(2026, 12, 4, 23, BERLIN).toISOString()).toBe('2026-12-04T22:00:00.000Z'); // CET, +1
    expect(zonedInstant(2026, 10, 24, 23, BERLIN).toISOString()).toBe('2026-10-24T21:00:00.000Z'); // the night before the change
    expect(zonedInstant(2026, 12, 4, 23, 'America/New_York').toISOString()).toBe('2026-12-05T04:00:00.000Z');
  });

  it('puts Friday and Saturday at 23:00 on their own weekday, after now', () => {
    const thursday = new Date('2026-12-03T13:20:00Z');
    const friday = nextNight(thursday, 5, 23, BERLIN);
    expect(friday.toISOString()).toBe('2026-12-04T22:00:00.000Z');
    expect(localParts(friday, BERLIN)).toMatchObject({ weekday: 5, hour: 23 });
    expect(nextNight(thursday, 6, 23, BERLIN).toISOString()).toBe('2026-12-05T22:00:00.000Z');
    // Friday after 23:00: next week's Friday, Saturday is tomorrow.
    const fridayLate = new Date('2026-12-04T23:30:00Z');
    expect(nextNight(fridayLate, 5, 23, BERLIN).toISOString()).toBe('2026-12-11T22:00:00.000Z');
    expect(nextNight(fridayLate, 6, 23, BERLIN).toISOString()).toBe('2026-12-05T22:00:00.000Z');
  });

  it("names tonight's session for the evening it began on, starting on the hour before now", () => {
    const afternoon = tonightsSession(new Date('2026-12-03T13:20:00Z'), BERLIN); // Thursday 14:20 in Berlin
    expect(afternoon).toEqual({ name: 'Thursday Terrace Session', startsAt: new Date('2026-12-03T12:00:00Z') });
    const small = tonightsSession(new Date('2026-12-07T05:43:00Z'), BERLIN); // Monday 06:43: began 05:00, Sunday's night
    expect(small).toEqual({ name: 'Sunday Late: House & Disco', startsAt: new Date('2026-12-07T04:00:00Z') });
    expect(tonightsSession(new Date('2026-12-05T22:10:00Z'), BERLIN).name).toBe('Saturday Late: House & Disco');
  });
});
