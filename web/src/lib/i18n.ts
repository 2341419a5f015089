import { computed, signal } from '@preact/signals';
import { ENGLISH, loadCatalogue } from '@i18n/catalogues.js';
import { bestLocale, isLocale, LANGUAGES, LOCALES, matchLocale, type Locale } from '@i18n/locales.js';
import type { MessageKey } from '@i18n/catalogue.js';
import { translator, type MessageValues, type Translator, type Words } from '@i18n/translator.js';

export { LOCALES, LANGUAGES, type Locale, type MessageKey, type Words };

/**
 * The language of the person using this device: chosen with the switcher (remembered here), else
 * the browser's first language Velvet speaks. Components that read `t`/`i18n()` while rendering
 * render again when it changes (a Preact signal). A language other than English is downloaded
 * when first shown (its own chunk, kept by the service worker for offline use); the signal changes
 * once it is here, so a page never shows half of one language and half of another.
 */
const STORAGE_KEY = 'velvet.locale';

const browserLanguages = (): readonly string[] =>
  typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];

const saved = () => (typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY));

function wanted(): Locale {
  const choice = saved();
  return isLocale(choice) ? choice : bestLocale(browserLanguages());
}

export const locale = signal<Locale>('en');

const current = computed<Translator>(() =>
  translator(locale.value, {
    formatLocale: browserLanguages().find((tag) => tag.toLowerCase().startsWith(locale.value)),
  }),
);

let latestChoice = 0;

/**
 * Shows the pages in `next` once its catalogue is here (at once for English or one loaded
 * before). Choices overtaking each other: the last one made wins, whichever download ends last.
 */
async function show(next: Locale): Promise<void> {
  const choice = ++latestChoice;
  await loadCatalogue(next);
  if (choice === latestChoice) locale.value = next;
}

const keepCurrent = (err: unknown) => {
  // Its chunk could not be fetched (no connection, an old service worker): the page keeps its language.
  console.warn('velvet: language not loaded', err);
};

/** The device's language, loaded: the app renders after this (main.tsx), in the right language from the first paint. */
export const languageReady: Promise<void> = show(wanted()).catch(keepCurrent);

export function setLocale(next: Locale): Promise<void> {
  localStorage.setItem(STORAGE_KEY, next);
  return show(next).catch(keepCurrent);
}

/**
 * A page about one event speaks the event's language (its owner's choice) to someone who never
 * chose one here and whose browser asks for none Velvet speaks; anyone else keeps their own.
 */
export function fallBackToEventLocale(eventLocale: string): void {
  if (isLocale(saved()) || matchLocale(browserLanguages())) return;
  if (isLocale(eventLocale)) void show(eventLocale).catch(keepCurrent);
}

if (typeof document !== 'undefined') {
  // Screen readers and hyphenation follow the page's language.
  locale.subscribe((l) => (document.documentElement.lang = l));
}

/** Words and formats in this device's language. */
export const i18n = (): Translator => current.value;
export const t = (key: MessageKey, values?: MessageValues): string => current.value.t(key, values);
export const say = (words: Words): string => current.value.say(words);

/** Whether `key` is one of the catalogue's (for words built from an API's machine value). */
export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(ENGLISH, key);

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
