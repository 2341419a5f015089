import type { en } from './catalogues/en.js';

/** A message's key: every key English has (the source catalogue). */
export type MessageKey = keyof typeof en;

/** A whole catalogue: every key, no other (an ICU message each, https://formatjs.github.io/docs/core-concepts/icu-syntax). */
export type Catalogue = { readonly [K in MessageKey]: string };
