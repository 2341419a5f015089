/** Times as the door reads them: 24-hour clock ("21:14"), whatever the device's locale prefers. */
const HM: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

export const clockTime = (d: Date | string) => new Date(d).toLocaleTimeString([], HM);
export const clockTimeSeconds = (d: Date | string) => new Date(d).toLocaleTimeString([], { ...HM, second: '2-digit' });
/** "Sat 6 Jun, 22:00:16": when the second matters (the door's log). */
export const dayAndTimeSeconds = (d: Date | string) =>
  new Date(d).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', ...HM, second: '2-digit' });
/** "Sat 6 Jun, 22:00" */
export const dayAndTime = (d: Date | string) =>
  new Date(d).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', ...HM });
