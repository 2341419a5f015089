import type { Catalogue } from './catalogue.js';
import { en } from './catalogues/en.js';

/**
 * The languages Velvet speaks, each one catalogue file (./catalogues) and one line here: its name
 * in its own words for the language switcher, and how to load it (a page downloads only the
 * languages it shows: each catalogue is a chunk of its own). English is the source: its keys are
 * the contract every other catalogue must fill (the typechecker and test/i18n.test.ts hold them to it).
 */
export const LANGUAGES = {
  // The source, in every page's first download: the words of any key a language lacks at run time.
  en: { name: 'English', load: () => Promise.resolve(en) },
  de: { name: 'Deutsch', load: () => import('./catalogues/de.js').then((m) => m.de) },
  es: { name: 'Español', load: () => import('./catalogues/es.js').then((m) => m.es) },
  fr: { name: 'Français', load: () => import('./catalogues/fr.js').then((m) => m.fr) },
} as const satisfies Record<string, { name: string; load: () => Promise<Catalogue> }>;

export type Locale = keyof typeof LANGUAGES;
export const LOCALES = Object.keys(LANGUAGES) as Locale[];
export const DEFAULT_LOCALE: Locale = 'en';

export const isLocale = (value: unknown): value is Locale =>
  typeof value === 'string' && Object.hasOwn(LANGUAGES, value);

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
