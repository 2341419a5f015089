/**
 * When a demo club's nights fall, in the venue's time zone: the weekend's nights start at 23:00 on
 * their own weekday, and tonight's session (open at the door as soon as the demo starts) began on
 * the hour before now.
 */

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface LocalDate {
  year: number;
  month: number;
  day: number;
  hour: number;
  weekday: number;
}

/** The wall clock in `timeZone` at `at`. */
export function localParts(at: Date, timeZone: string): LocalDate {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      hourCycle: 'h23',
      weekday: 'long',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    weekday: WEEKDAYS.indexOf(parts.weekday!),
  };
}

/**
 * The instant the wall clock in `timeZone` reads `hour`:00 on the given date. The zone's offset is
 * read at a first guess and read again at the answer (a guess on the other side of a daylight
 * saving change gets the offset that holds at the answer).
 */
export function zonedInstant(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour);
  let instant = wall;
  for (let i = 0; i < 2; i++) {
    const seen = localParts(new Date(instant), timeZone);
    const seenWall = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour);
    instant += wall - seenWall;
  }
  return new Date(instant);
}

/** The next `weekday` (0 Sunday … 6 Saturday) at `hour`:00 local, later than `now`. */
export function nextNight(now: Date, weekday: number, hour: number, timeZone: string): Date {
  const today = localParts(now, timeZone);
  for (let ahead = 0; ahead <= 7; ahead++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    if (date.getUTCDay() !== weekday) continue;
    const at = zonedInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hour, timeZone);
    if (at > now) return at;
  }
  throw new Error(`no ${WEEKDAYS[weekday]} within a week of ${now.toISOString()}`);
}

/** Tonight's session: from the hour before now, named for its weekday and the time of day. */
export function tonightsSession(now: Date, timeZone: string): { name: string; startsAt: Date } {
  const local = localParts(now, timeZone);
  const startsAt = zonedInstant(local.year, local.month, local.day, local.hour, timeZone);
  startsAt.setTime(startsAt.getTime() - 3600_000);
  const start = localParts(startsAt, timeZone);
  const night = start.hour >= 20 || start.hour < 6;
  // After midnight the night still belongs to the evening it began on.
  const weekday = WEEKDAYS[night && start.hour < 6 ? (start.weekday + 6) % 7 : start.weekday];
  return { name: night ? `${weekday} Late: House & Disco` : `${weekday} Terrace Session`, startsAt };
}
