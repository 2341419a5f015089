import type { Catalogue } from './catalogue.js';
import { en } from './catalogues/en.js';
import { LANGUAGES, LOCALES, type Locale } from './locales.js';

/**
 * The catalogues loaded so far. English, the source, is always here (every other language falls
 * back to its words for a key it lacks at run time); another language is loaded once, when first
 * needed, and kept: a translator is then made synchronously (src/i18n/translator.ts).
 */
const loaded = new Map<Locale, Catalogue>([['en', en]]);
const loading = new Map<Locale, Promise<Catalogue>>();

export const ENGLISH: Catalogue = en;

/** The catalogue of `locale` if it is loaded (English always is). */
export const loadedCatalogue = (locale: Locale): Catalogue | undefined => loaded.get(locale);

export function loadCatalogue(locale: Locale): Promise<Catalogue> {
  const ready = loaded.get(locale);
  if (ready) return Promise.resolve(ready);
  let pending = loading.get(locale);
  if (!pending) {
    pending = LANGUAGES[locale].load().then(
      (catalogue) => (loaded.set(locale, catalogue), loading.delete(locale), catalogue),
      (err: unknown) => {
        // A lost connection must not make the language unloadable for good: the next call tries again.
        loading.delete(locale);
        throw err;
      },
    );
    loading.set(locale, pending);
  }
  return pending;
}

export const loadAllCatalogues = (): Promise<Catalogue[]> => Promise.all(LOCALES.map(loadCatalogue));
