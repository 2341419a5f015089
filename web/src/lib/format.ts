import { i18n } from './i18n.js';
import { deviceTimeZone } from './wall-clock.js';

/**
 * Times as the door reads them: a 24-hour clock ("21:14") whatever the device's locale prefers
 * (staff compare it with the log and with each other), day and month names in the page's language.
 */
const HM: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const lang = () => i18n().formatLocale;

export const clockTime = (d: Date | string, timeZone?: string) =>
  new Date(d).toLocaleTimeString(lang(), { ...HM, ...inZone(timeZone) });
export const clockTimeSeconds = (d: Date | string) =>
  new Date(d).toLocaleTimeString(lang(), { ...HM, second: '2-digit' });
/** "Sat 6 Jun, 22:00:16": when the second matters (the door's log). */
export const dayAndTimeSeconds = (d: Date | string) =>
  new Date(d).toLocaleString(lang(), { weekday: 'short', day: 'numeric', month: 'short', ...HM, second: '2-digit' });
/**
 * In the venue's time zone when given (a night's times, as its mails say them), with the zone's
 * name when this device is elsewhere ("Sat 6 Jun, 23:00 CEST" on a phone still on London time).
 */
const inZone = (timeZone: string | undefined): Intl.DateTimeFormatOptions =>
  timeZone && timeZone !== deviceTimeZone() ? { timeZone, timeZoneName: 'short' } : {};
/** "Sat 6 Jun, 22:00" */
export const dayAndTime = (d: Date | string, timeZone?: string) =>
  new Date(d).toLocaleString(lang(), {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...HM,
    ...inZone(timeZone),
  });
/** "€25.00" in English, "25,00 €" in German: minor units in the event's currency, in the page's language. */
export const money = (minorUnits: number, currency: string) => i18n().money(minorUnits, currency.toUpperCase());
