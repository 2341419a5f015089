import type { MessageKey } from '../i18n/catalogue.js';
import { loadAllCatalogues } from '../i18n/catalogues.js';
import { LOCALES, type Locale } from '../i18n/locales.js';
import { translator, type MessageValues, type Translator } from '../i18n/translator.js';
import type { WalletTicket } from './wallet-ticket.js';

/**
 * A pass is read on a phone in its owner's language, whoever bought it: a wallet text is carried
 * in every language Velvet speaks and the wallet app shows the phone's (Apple: a pass.strings per
 * language; Google: translated values), English where the phone's is not among them.
 */
export type Translations = Record<Locale, string>;

/** Every catalogue, for passes built synchronously (called once by each wallet's loader). */
export const loadWalletLanguages = (): Promise<unknown> => loadAllCatalogues();

/** One translator per language, made on the first pass (after loadWalletLanguages). */
let translators: Array<[Locale, Translator]> | undefined;

export function walletText(key: MessageKey, values?: MessageValues): Translations {
  translators ??= LOCALES.map((l) => [l, translator(l)]);
  return Object.fromEntries(translators.map(([l, t]) => [l, t.t(key, values)])) as Translations;
}

/** "VIP host of table 3 (Gold)", "General admission": what the ticket is. */
export const ticketKind = (t: Pick<WalletTicket, 'table'>): Translations =>
  walletText(
    'wallet.kind',
    t.table ? { role: t.table.role, table: t.table.number, tier: t.table.tier } : { role: 'ga', table: '', tier: '' },
  );
