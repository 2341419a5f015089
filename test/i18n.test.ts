import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { decideCheckIn, doorMessage, scanWords } from '../src/domain/check-in.js';
import { ERROR_STATUS } from '../src/domain/error-codes.js';
import { conflictWords } from '../src/domain/offline-reconcile.js';
import { ENGLISH, loadAllCatalogues, loadedCatalogue } from '../src/i18n/catalogues.js';
import type { Catalogue } from '../src/i18n/catalogue.js';
import { acceptedLanguages, bestLocale, LOCALES, type Locale } from '../src/i18n/locales.js';
import { translator } from '../src/i18n/translator.js';

/**
 * The catalogues (src/i18n): every language has every key English has and no other, each message
 * is valid ICU with the same placeholders as the English one (a translation that drops {table}
 * would show a door the wrong table), and the formats follow the locale.
 */
const english = ENGLISH;
beforeAll(() => loadAllCatalogues());
const catalogue = (locale: Locale): Catalogue => loadedCatalogue(locale)!;

/** A message's placeholder names, plural/select arguments included, at any depth. */
function placeholders(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.argument || e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time)
      into.add(e.value);
    if (e.type === TYPE.plural || e.type === TYPE.select) {
      into.add(e.value);
      for (const option of Object.values(e.options)) placeholders(option.value, into);
    }
    if (e.type === TYPE.tag) placeholders(e.children, into);
  }
  return into;
}

describe('the catalogues', () => {
  it.each(LOCALES)('%s has exactly the keys English has', (locale) => {
    const keys = Object.keys(catalogue(locale)).sort();
    const missing = Object.keys(english).filter((k) => !keys.includes(k));
    const extra = keys.filter((k) => !Object.hasOwn(english, k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(LOCALES)('%s: every message is valid ICU with the same placeholders as English', (locale) => {
    const wrong: string[] = [];
    for (const [key, message] of Object.entries(catalogue(locale))) {
      const want = [...placeholders(parse(english[key as keyof typeof english]))].sort();
      const got = [...placeholders(parse(message))].sort();
      if (want.join() !== got.join()) wrong.push(`${key}: ${got.join(', ')} instead of ${want.join(', ')}`);
      if (locale !== 'en' && message.trim() === '') wrong.push(`${key}: empty`);
    }
    expect(wrong).toEqual([]);
  });

  it('has words for every error code the API answers with', () => {
    const missing = Object.keys(ERROR_STATUS).filter((code) => !Object.hasOwn(english, `error.${code}`));
    expect(missing).toEqual([]);
  });
});

describe('choosing the language', () => {
  it("takes the first of a person's languages Velvet speaks, by region or not", () => {
    expect(bestLocale(['de-AT', 'en'])).toBe('de');
    expect(bestLocale(['pt-BR', 'es'])).toBe('es');
    expect(bestLocale(['FR_ca'])).toBe('fr');
    expect(bestLocale(['ja', 'zh'])).toBe('en');
    expect(bestLocale([], 'de')).toBe('de');
  });

  it("reads an Accept-Language header by weight, then by order, skipping q=0 and '*'", () => {
    expect(acceptedLanguages('fr;q=0.5, de-DE, en;q=0.8, *;q=0.1, es;q=0')).toEqual(['de-DE', 'en', 'fr']);
    expect(bestLocale(acceptedLanguages('it, fr-BE;q=0.9'))).toBe('fr');
    expect(acceptedLanguages(undefined)).toEqual([]);
  });
});

describe('words and formats', () => {
  const at = new Date('2026-12-04T22:05:00Z');

  it("formats money, dates and times for the locale and the event's time zone", () => {
    const de = translator('de', { timeZone: 'Europe/Berlin' });
    expect(de.money(2500, 'EUR')).toBe('25,00\u00a0€');
    expect(de.time(at)).toBe('23:05');
    expect(de.dayAndTime(at)).toMatch(/^Fr\.?, 4\. Dez\.?, 23:05$/);
    const us = translator('en', { timeZone: 'America/New_York', formatLocale: 'en-US' });
    expect(us.money(2500, 'EUR')).toBe('€25.00');
    expect(us.time(at)).toMatch(/^5:05\s?PM$/);
    expect(translator('en', { formatLocale: 'en-GB', timeZone: 'Europe/London' }).time(at)).toBe('22:05');
    expect(translator('fr', { timeZone: 'Europe/Paris' }).money(150000, 'EUR')).toBe('1\u202f500,00\u00a0€');
    // No minor unit in yen: 500 is ¥500, not ¥5.
    expect(translator('es').money(500, 'JPY')).toMatch(/^500\s?(¥|JPY)$/);
    // A tag of another language than the chosen one does not decide the formats.
    expect(translator('de', { formatLocale: 'en-US', timeZone: 'UTC' }).time(at)).toBe('22:05');
  });

  it('says plurals and selects through the library', () => {
    const de = translator('de');
    expect(de.t('door.conflicts.heading', { count: 1 })).toBe('1 Konflikt aus Offline-Scans');
    expect(de.t('door.conflicts.heading', { count: 3 })).toBe('3 Konflikte aus Offline-Scans');
    expect(translator('fr').t('door.recentEntryElsewhere', { scanner: 'door-2', seconds: 1 })).toContain(
      '1 seconde d’écart',
    );
    expect(de.t('door.reason.already_checked_in', { at: '21:14', scanner: 'door-2' })).toBe(
      'Bereits eingelassen um 21:14 an door-2',
    );
    expect(de.t('door.reason.already_checked_in', { at: 'none', scanner: 'none' })).toBe('Bereits eingelassen');
  });

  it("words the door's decision from one source: the API in English, the page in the door's language", () => {
    const start = new Date('2026-12-04T21:00:00Z');
    const decision = decideCheckIn({
      code: { eventId: 'e1', ticketId: 't1' },
      scannerEventId: 'e1',
      event: { status: 'scheduled', startsAt: start, endsAt: new Date('2026-12-05T04:00:00Z') },
      ticket: {
        id: 't1',
        eventId: 'e1',
        status: 'valid',
        checkedInAt: null,
        firstScannerId: null,
        codeGeneration: 0,
        table: {
          role: 'host',
          reservationStatus: 'confirmed',
          tableNumber: 4,
          tier: 'Gold',
          reservationId: 'r1',
          tableId: 'tb1',
        },
        refusedReason: null,
      },
      recentEntries: [],
      scannerId: 'door-1',
      now: at,
      reentryWarningSeconds: 60,
    });
    expect(doorMessage(decision, { tableNumber: 4, tier: 'Gold' })).toBe('VIP host, Table 4 (Gold)');
    const words = scanWords({
      result: 'reentry',
      reason: null,
      kind: 'vip_guest',
      table: { tableNumber: 4, tier: 'Gold' },
      firstAt: null,
      firstScanner: null,
    });
    expect(translator('de').say(words)).toBe('Gast von Tisch 4 (Gold) (Wiedereinlass)');
    expect(translator('es').say(words)).toBe('Invitado de la mesa 4 (Gold) (reentrada)');
    const rejected = { result: 'rejected', kind: null, table: null, firstAt: null, firstScanner: null } as const;
    const refused = scanWords({ ...rejected, reason: 'void' });
    expect(translator('fr').say(conflictWords('void', refused))).toBe(
      'Entrée acceptée hors ligne, mais le billet n’est plus valable (remboursé, expiré ou annulé) : Ce billet n’est plus valable (remboursé, expiré ou annulé)',
    );
    expect(translator('de').say(scanWords({ ...rejected, reason: 'something_new' }))).toBe('Abgewiesen');
  });
});
