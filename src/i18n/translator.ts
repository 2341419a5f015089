import { createIntl, createIntlCache, type IntlShape } from '@formatjs/intl';
import type { MessageKey } from './catalogue.js';
import { ENGLISH, loadedCatalogue } from './catalogues.js';
import type { Locale } from './locales.js';

/** Values a message's ICU placeholders take; a value that is itself Words is said first. */
export type MessageValues = { [name: string]: string | number | Date | null | undefined | Words };

/** What a message is before it is words: the door's decision, an error, said later in any language. */
export interface Words {
  key: MessageKey;
  values?: MessageValues;
}

const isWords = (v: unknown): v is Words => typeof v === 'object' && v !== null && !(v instanceof Date) && 'key' in v;

/**
 * Words and formats for one person: messages from their language's catalogue (FormatJS, ICU
 * MessageFormat: plurals, selects and numbers by the library), money, dates and times with Intl
 * for their locale, in the event's time zone when one is given; the language's catalogue must be
 * loaded first (src/i18n/catalogues.ts, English always is). A key missing at run time (it
 * cannot be at compile time) is reported through `onMissing` and shows the English words.
 */
export interface Translator {
  readonly locale: Locale;
  /** The BCP 47 tag Intl formats with: the reader's own ("de-AT") or the language's. */
  readonly formatLocale: string;
  readonly timeZone: string | undefined;
  t(key: MessageKey, values?: MessageValues): string;
  say(words: Words): string;
  /** 2500, "EUR" → "25,00 €" in German, "€25.00" in English. */
  money(minorUnits: number, currency: string): string;
  /** "Fri 4 Dec, 23:00" (weekday, day, month, time). */
  dayAndTime(d: Date | string): string;
  /** "Friday 4 December 2026" */
  longDate(d: Date | string): string;
  /** "Friday 4 December 2026 at 23:00" (full), "4 Dec 2026, 23:00" (medium): the locale's own order. */
  dateTime(d: Date | string, style: 'full' | 'medium'): string;
  /** "23:00" (the locale's own clock: 24-hour where it uses it). */
  time(d: Date | string, opts?: { seconds?: boolean }): string;
  number(n: number): string;
}

const cache = createIntlCache();
const intls = new Map<string, IntlShape<string>>();

function intlFor(
  locale: Locale,
  formatLocale: string,
  timeZone: string | undefined,
  onMissing: (message: string) => void,
) {
  const id = `${locale}|${formatLocale}|${timeZone ?? ''}`;
  let intl = intls.get(id);
  if (!intl) {
    intl = createIntl(
      {
        locale: formatLocale,
        timeZone,
        messages: catalogueOf(locale),
        defaultLocale: 'en',
        onError: (err) => onMissing(String(err.message ?? err)),
      },
      cache,
    );
    intls.set(id, intl);
  }
  return intl;
}

const asDate = (d: Date | string) => (d instanceof Date ? d : new Date(d));

function catalogueOf(locale: Locale) {
  const catalogue = loadedCatalogue(locale);
  // A programming error, not a reader's: load a language (loadCatalogue) before speaking it.
  if (!catalogue) throw new Error(`velvet i18n: the ${locale} catalogue is not loaded`);
  return catalogue;
}

export function translator(
  locale: Locale,
  opts: {
    timeZone?: string | undefined;
    /** The reader's own tag when it is of this language ("en-GB": a 24-hour clock), for Intl. */
    formatLocale?: string | undefined;
    onMissing?: (message: string) => void;
  } = {},
): Translator {
  const onMissing = opts.onMissing ?? ((message: string) => console.error(`velvet i18n: ${message}`));
  const formatLocale =
    opts.formatLocale && opts.formatLocale.toLowerCase().split(/[-_]/)[0] === locale ? opts.formatLocale : locale;
  const intl = intlFor(locale, formatLocale, opts.timeZone, onMissing);
  const english = ENGLISH;
  const t = (key: MessageKey, values?: MessageValues): string =>
    intl.formatMessage(
      { id: key, defaultMessage: english[key] },
      values &&
        Object.fromEntries(
          Object.entries(values).map(([name, v]) => [name, isWords(v) ? t(v.key, v.values) : (v ?? '')]),
        ),
    );
  return {
    locale,
    formatLocale,
    timeZone: opts.timeZone,
    t,
    say: (w) => t(w.key, w.values),
    money: (minorUnits, currency) =>
      intl.formatNumber(minorUnits / 10 ** minorDigits(currency), { style: 'currency', currency }),
    dayAndTime: (d) =>
      intl.formatDate(asDate(d), {
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        hour: 'numeric',
        minute: '2-digit',
      }),
    longDate: (d) => intl.formatDate(asDate(d), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
    dateTime: (d, style) => intl.formatDate(asDate(d), { dateStyle: style, timeStyle: 'short' }),
    time: (d, o) =>
      intl.formatTime(asDate(d), { hour: 'numeric', minute: '2-digit', ...(o?.seconds ? { second: '2-digit' } : {}) }),
    number: (n) => intl.formatNumber(n),
  };
}

/** Digits after the decimal point in a currency's minor unit (2 for EUR, 0 for JPY), as Intl knows them. */
function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}
