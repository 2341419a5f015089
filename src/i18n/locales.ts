import type { Catalogue } from './catalogue.js';
import { de } from './catalogues/de.js';
import { en } from './catalogues/en.js';
import { es } from './catalogues/es.js';
import { fr } from './catalogues/fr.js';

/**
 * The languages Velvet speaks, each one catalogue file (./catalogues) and one line here, with its
 * name in its own words for the language switcher. English is the source: its keys are the
 * contract every other catalogue must fill (the typechecker and test/i18n.test.ts hold them to it).
 */
export const CATALOGUES = {
  en: { name: 'English', messages: en },
  de: { name: 'Deutsch', messages: de },
  es: { name: 'Español', messages: es },
  fr: { name: 'Français', messages: fr },
} as const satisfies Record<string, { name: string; messages: Catalogue }>;

export type Locale = keyof typeof CATALOGUES;
export const LOCALES = Object.keys(CATALOGUES) as Locale[];
export const DEFAULT_LOCALE: Locale = 'en';

export const isLocale = (value: unknown): value is Locale =>
  typeof value === 'string' && Object.hasOwn(CATALOGUES, value);

/**
 * The first of a person's languages Velvet speaks, in their order of preference (a browser's
 * `navigator.languages`, or an Accept-Language header's tags by weight): "de-AT" is German,
 * "pt-BR, es;q=0.8" Spanish. Nothing matching: `fallback`.
 */
export function bestLocale(preferences: readonly string[], fallback: Locale = DEFAULT_LOCALE): Locale {
  return matchLocale(preferences) ?? fallback;
}

/** The first of `preferences` Velvet speaks, or null when it speaks none of them. */
export function matchLocale(preferences: readonly string[]): Locale | null {
  for (const tag of preferences) {
    const language = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (isLocale(language)) return language;
  }
  return null;
}

/** An Accept-Language header's languages, most wanted first. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((l) => l.tag && l.tag !== '*' && l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((l) => l.tag);
}
