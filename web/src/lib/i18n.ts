import { computed, signal } from '@preact/signals';
import { bestLocale, CATALOGUES, isLocale, LOCALES, matchLocale, type Locale } from '@i18n/locales.js';
import type { MessageKey } from '@i18n/catalogue.js';
import { translator, type MessageValues, type Translator, type Words } from '@i18n/translator.js';

export { LOCALES, CATALOGUES, type Locale, type MessageKey, type Words };

/**
 * The language of the person using this device: chosen with the switcher (remembered here), else
 * the browser's first language Velvet speaks. Components that read `t`/`i18n()` while rendering
 * render again when it changes (a Preact signal).
 */
const STORAGE_KEY = 'velvet.locale';

const browserLanguages = (): readonly string[] =>
  typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];

const saved = () => (typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY));

function initial(): Locale {
  const choice = saved();
  return isLocale(choice) ? choice : bestLocale(browserLanguages());
}

export const locale = signal<Locale>(initial());

const current = computed<Translator>(() =>
  translator(locale.value, {
    formatLocale: browserLanguages().find((tag) => tag.toLowerCase().startsWith(locale.value)),
  }),
);

/**
 * A page about one event speaks the event's language (its owner's choice) to someone who never
 * chose one here and whose browser asks for none Velvet speaks; anyone else keeps their own.
 */
export function fallBackToEventLocale(eventLocale: string): void {
  if (isLocale(saved()) || matchLocale(browserLanguages())) return;
  if (isLocale(eventLocale)) locale.value = eventLocale;
}

export function setLocale(next: Locale): void {
  localStorage.setItem(STORAGE_KEY, next);
  locale.value = next;
}

if (typeof document !== 'undefined') {
  // Screen readers and hyphenation follow the page's language.
  locale.subscribe((l) => (document.documentElement.lang = l));
}

/** Words and formats in this device's language. */
export const i18n = (): Translator => current.value;
export const t = (key: MessageKey, values?: MessageValues): string => current.value.t(key, values);
export const say = (words: Words): string => current.value.say(words);

/** Words to say in the reader's language, or words that came as they are (an owner's note, a name). */
export type Text = Words | string;
export const text = (x: Text): string => (typeof x === 'string' ? x : say(x));

/**
 * A message with an element inside it ("held for you for <strong>14:59</strong>"): the words
 * before and after the `slot` placeholder, so each language puts the element where its grammar does.
 */
export function around(key: MessageKey, slot: string, values?: MessageValues): [string, string] {
  const marker = '\u0000';
  const [before = '', after = ''] = t(key, { ...values, [slot]: marker }).split(marker);
  return [before, after];
}
