import { i18n } from './i18n.js';

/**
 * Times as the door reads them: a 24-hour clock ("21:14") whatever the device's locale prefers
 * (staff compare it with the log and with each other), day and month names in the page's language.
 */
const HM: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const lang = () => i18n().formatLocale;

export const clockTime = (d: Date | string) => new Date(d).toLocaleTimeString(lang(), HM);
export const clockTimeSeconds = (d: Date | string) =>
  new Date(d).toLocaleTimeString(lang(), { ...HM, second: '2-digit' });
/** "Sat 6 Jun, 22:00:16": when the second matters (the door's log). */
export const dayAndTimeSeconds = (d: Date | string) =>
  new Date(d).toLocaleString(lang(), { weekday: 'short', day: 'numeric', month: 'short', ...HM, second: '2-digit' });
/** "Sat 6 Jun, 22:00" */
export const dayAndTime = (d: Date | string) =>
  new Date(d).toLocaleString(lang(), { weekday: 'short', day: 'numeric', month: 'short', ...HM });
/** "€25.00" in English, "25,00 €" in German: minor units in the event's currency, in the page's language. */
export const money = (minorUnits: number, currency: string) => i18n().money(minorUnits, currency.toUpperCase());
