/**
 * Times as a venue's wall clock reads them, for `<input type=datetime-local>` (which has no zone):
 * an owner editing from another time zone still sets the night at the venue's hour. Without a
 * zone, the device's own.
 */
/** The zone this device's clock is set to (read when asked: a phone that travels changes it). */
export const deviceTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

const WALL = (timeZone: string | undefined) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });

/** "2027-01-08T23:00": what the clock in `timeZone` reads at the instant `iso`. */
export function wallClock(iso: string, timeZone?: string): string {
  const parts = WALL(timeZone).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

/** How far (ms) the clock in `timeZone` is ahead of UTC at the instant `t` (minute precision). */
function offsetAt(t: number, timeZone: string | undefined): number {
  const minute = t - (((t % 60_000) + 60_000) % 60_000);
  return asUtc(wallClock(new Date(minute).toISOString(), timeZone)) - minute;
}

const asUtc = (wall: string) => {
  const [y, mo, d, h, mi] = wall.split(/[-T:]/).map(Number) as [number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi);
};

/**
 * The instant ("…Z") at which the clock in `timeZone` reads `wall` ("2027-01-08T23:00"); '' for
 * '' or a value that is not one. Algorithm (as Temporal's "compatible"): take the wall time as if
 * it were UTC and subtract the zone's offset from a day before and from a day after (a zone
 * changes its offset at most once in between); each candidate the clock really reads as `wall`
 * is an answer. Two (the hour the clocks go back): the earlier. None (the hour they skip): the
 * offset from before the change, which lands an hour later, as the clocks do.
 */
export function instantOf(wall: string, timeZone?: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(wall)) return '';
  const guess = asUtc(wall);
  const before = guess - offsetAt(guess - DAY, timeZone);
  const after = guess - offsetAt(guess + DAY, timeZone);
  const reads = (t: number) => wallClock(new Date(t).toISOString(), timeZone) === wall;
  const answers = [before, after].filter(reads);
  return new Date(answers.length ? Math.min(...answers) : before).toISOString();
}

const DAY = 86_400_000;
