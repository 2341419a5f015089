import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appErrors,
  buyPaidOrder,
  DESKTOP,
  haveChromium,
  launchBrowser,
  logIn,
  openPage,
  OWNER,
  PHONE,
  screenshot,
  shownMessageKeys,
  startWebServer,
  tonightBody,
  type WebServer,
} from './support/browser.js';

/**
 * The buyer's and the owner's pages in their language: a German phone buys GA tickets and a table,
 * pays and opens its order (with no signal too) in German; the owner's event page, editor, orders
 * and cancellation in German on a desktop; a browser asking for a language Velvet does not speak
 * gets the event's own. Every state is screenshotted at 390x844 and 1280x800 (German words are
 * long: looked at) and checked for message keys shown as text, overflow and axe-core findings.
 */

let server: WebServer;
let browser: Browser;
let eventId: string;

beforeAll(async () => {
  if (!haveChromium) return;
  // A Berlin club: the night's times are Berlin's, whichever zone a phone is set to.
  server = await startWebServer({
    env: { VELVET_LOGIN_ATTEMPTS_PER_MINUTE: '100', VELVET_TIME_ZONE: 'Europe/Berlin' },
  });
  eventId = (await server.call<{ id: string }>('POST', '/api/v1/events', tonightBody('Sprachennacht'))).json.id;
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const german = (viewport = PHONE) => browser.newContext({ viewport, locale: 'de-DE', timezoneId: 'Europe/Berlin' });

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

async function clean(page: Page): Promise<void> {
  expect(await shownMessageKeys(page)).toEqual([]);
  expect(appErrors(page)).toEqual([]);
}

async function ownerIn(context: BrowserContext, path: string, passwordLabel = 'Passwort'): Promise<Page> {
  const page = await openPage(context, `${server.url}${path}`);
  await page.waitForSelector('#login-email');
  await expect(text(page, 'label[for=login-password]')).resolves.toBe(passwordLabel);
  await logIn(page, OWNER);
  return page;
}

describe.skipIf(!haveChromium)("the buyer's and the owner's pages in German", () => {
  it(
    'a German phone buys GA tickets and a table, pays, and reads its order in German, with no signal too',
    { timeout: 120_000 },
    async () => {
      const context = await german();
      const page = await openPage(context, `${server.url}/e/${eventId}`);
      await page.waitForSelector('h1:has-text("Sprachennacht")');
      await expect(page.locator('.topbar [data-testid=language]').inputValue()).resolves.toBe('de');
      await expect(text(page, 'h2')).resolves.toBe('GA-Tickets');
      // A phone in Berlin reads Berlin's times as they are: no zone named.
      await expect(text(page, '.lead')).resolves.toMatch(
        /^\w+\., \d+\. \w+\.?, \d\d:\d\d – \w+\., \d+\. \w+\.?, \d\d:\d\d$/,
      );
      // Money and numbers the German way (Intl puts a no-break space before the euro sign).
      await expect(text(page, '.buy-grid .card p')).resolves.toBe('je 20,00\u00a0€');
      await page.click('.table-choices button[data-table="2"]');
      await expect(text(page, '[data-testid=table-choice]')).resolves.toContain(
        'Tisch 2 (Gold, bis zu 6 Personen) + dein eigenes GA-Ticket.',
      );
      await page.click('button[aria-label="Ein Ticket mehr"]');
      await page.fill('#buyer-name', 'Greta Gastgeberin');
      await page.fill('#buyer-email', 'greta@example.com');
      await expect(text(page, '[data-testid=table-choice]')).resolves.toContain(
        'Dein zweites Ticket sitzt als Gast an deinem Tisch.',
      );
      await expect(text(page, '[data-testid=breakdown]')).resolves.toContain('2 × GA-Ticket zu 20,00\u00a0€');
      await expect(text(page, '[data-testid=total]')).resolves.toBe('540,00\u00a0€');
      await screenshot(page, 'de-buy');
      await page.click('button:has-text("Weiter zur Zahlung")');

      await page.waitForURL(/\/orders\//);
      await page.waitForSelector('[data-testid=order-status]:has-text("Wartet auf Zahlung")');
      await expect(text(page, '#checkout-title')).resolves.toBe('540,00\u00a0€ bezahlen');
      await expect(text(page, '[role=timer]')).resolves.toMatch(
        /^Deine Tickets und dein Tisch sind noch \d+:\d\d für dich reserviert\.$/,
      );
      await screenshot(page, 'de-order-pending');
      await page.click('button:has-text("Bezahlen (Testmodus)")');
      await page.waitForSelector('[data-testid=order-status]:has-text("Bezahlt")');
      await expect(text(page, '#tickets-title')).resolves.toBe('Deine 2 Tickets');
      await expect(text(page, '#table-title')).resolves.toContain('Tisch 2');
      await expect(text(page, '.host-panel')).resolves.toContain(
        'Bis zu 6 Personen, du eingeschlossen · Mindestverzehr',
      );
      // Tonight has started: the guest list is locked, and says so.
      await expect(text(page, '.host-panel')).resolves.toContain('Gästeliste (1 von 5) · 0 da');
      await expect(text(page, '.host-panel')).resolves.toContain('Die Gästeliste ist gesperrt.');
      await expect(page.locator('[data-testid=ticket] .pill').allTextContents()).resolves.toEqual([
        'Dein VIP-Code · Tisch 2',
        'Gast · Tisch 2',
      ]);
      await screenshot(page, 'de-order-paid');

      // In the basement with no signal: the order from this phone, still in German.
      await expect
        .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 15_000 })
        .toBe(true);
      await context.setOffline(true);
      await page.reload();
      await page.waitForSelector('[data-testid=offline-copy]');
      await expect(text(page, '[data-testid=offline-copy]')).resolves.toMatch(
        /^Keine Verbindung: Das sind deine Tickets, wie sie um \d\d:\d\d auf diesem Handy gespeichert wurden\./,
      );
      await screenshot(page, 'de-order-offline');
      await context.setOffline(false);
      await clean(page);

      // The switcher in the bar: the same page in Spanish at once.
      // Spanish is downloaded when first chosen, then shown all at once.
      await page.selectOption('.topbar [data-testid=language]', 'es');
      await expect.poll(() => text(page, '#tickets-title')).toBe('Tus 2 entradas');
      await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('es');
      await context.close();
    },
  );

  it(
    "the owner's event page, editor, orders and cancellation in German, and the dashboard switched to French",
    { timeout: 120_000 },
    async () => {
      const paid = await buyPaidOrder(server, eventId, { name: 'Rudi Rückgabe', email: 'rudi@example.com' });
      const now = Date.now();
      const later = (
        await server.call<{ id: string }>('POST', '/api/v1/events', {
          ...tonightBody('Nächste Woche'),
          starts_at: new Date(now + 7 * 86400_000).toISOString(),
          ends_at: new Date(now + 7 * 86400_000 + 6 * 3600_000).toISOString(),
        })
      ).json.id;
      await buyPaidOrder(server, later, { name: 'Frieda Früh', email: 'frieda@example.com' });

      const context = await german(DESKTOP);
      const page = await ownerIn(context, `/admin/events/${eventId}`);
      await page.waitForSelector('h1:has-text("Sprachennacht")');
      await expect(text(page, '[data-testid=event-status]')).resolves.toBe('Läuft');
      await expect(text(page, '.admin-nav')).resolves.toContain('Veranstaltungen');
      await expect(text(page, '.stats')).resolves.toContain('GA verkauft');
      await expect(text(page, '.actions')).resolves.toContain('Öffentliche Seite');
      await screenshot(page, 'de-admin-event');

      await page.goto(`${server.url}/admin/events/new`);
      await page.waitForSelector('#ev-name');
      await expect(text(page, 'label[for=ev-start]')).resolves.toBe('Einlass ab');
      await page.click('button:has-text("Veranstaltung anlegen")');
      await expect(text(page, '[role=alert]')).resolves.toBe('Einige Felder brauchen einen Blick (oben markiert).');
      await expect(text(page, '#ev-name-error')).resolves.toBe('Gib der Veranstaltung einen Namen');
      await screenshot(page, 'de-admin-editor');

      await page.goto(`${server.url}/admin/events/${eventId}/orders`);
      await page.fill('#order-search', 'Rudi');
      await page.click('.order-row:has-text("Rudi Rückgabe")');
      await page.waitForSelector('[data-testid=order-detail]');
      await expect(text(page, '[data-testid=order-detail] h2')).resolves.toBe(`Bestellung ${paid.orderId.slice(0, 8)}`);
      await page.click('button:has-text("Diese Bestellung erstatten…")');
      await expect(text(page, '[data-testid=refund-confirm] p')).resolves.toBe(
        '20,00\u00a0€ an Rudi Rückgabe erstatten? Noch nicht genutzte Tickets lassen niemanden mehr rein. Das lässt sich nicht rückgängig machen.',
      );
      await screenshot(page, 'de-admin-orders');

      await page.goto(`${server.url}/admin/events/${later}/cancel`);
      await page.waitForSelector('[data-testid=cancel-preview]');
      await expect(text(page, 'h1')).resolves.toBe('Nächste Woche absagen?');
      await expect(text(page, '.refund-total')).resolves.toBe('Erstattung gesamt 20,00\u00a0€');
      await expect(text(page, '[data-testid=cancel-preview] ul')).resolves.toContain(
        '1 bezahlte Bestellung wird automatisch voll erstattet',
      );
      await screenshot(page, 'de-admin-cancel');
      await clean(page);

      // A refusal from the server (which speaks English) in German words, beside the field it names.
      await page.goto(`${server.url}/admin/staff`);
      await page.waitForSelector('#acc-email');
      await page.fill('#acc-email', 'neu@example.com');
      await page.fill('#acc-password', 'kurz');
      await page.click('button:has-text("Konto anlegen")');
      await expect.poll(() => text(page, '#acc-password-error')).toBe('Ungültig: bitte dieses Feld prüfen');
      await expect(text(page, '[data-testid=add-account-error]')).resolves.toBe(
        'Einige Angaben sind ungültig. Bitte das Formular prüfen und erneut versuchen.',
      );
      await screenshot(page, 'de-admin-staff');
      await clean(page);

      // Staff pick their language at /admin too: the bar's switcher, remembered on the device.
      await page.selectOption('.topbar [data-testid=language]', 'fr');
      await expect.poll(() => text(page, '.admin-nav')).toContain('Événements');
      await page.goto(`${server.url}/admin`);
      await page.waitForSelector('h1:has-text("Événements")');
      await expect(text(page, '.list.event-list')).resolves.toMatch(/GA \d+ \/ 300 · tables \d \/ 4 · /);
      await context.close();
    },
  );

  it('a browser asking for a language Velvet does not speak reads the event in its own language', async () => {
    const french = (
      await server.call<{ id: string }>('POST', '/api/v1/events', { ...tonightBody('Soirée'), locale: 'fr' })
    ).json.id;
    const japanese = await browser.newContext({ viewport: PHONE, locale: 'ja-JP' });
    const page = await openPage(japanese, `${server.url}/e/${french}`);
    await page.waitForSelector('h1:has-text("Soirée")');
    await expect(text(page, 'h2')).resolves.toBe('Billets GA');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('fr');
    // This phone keeps another zone (UTC): the night's times are still Berlin's, and say so.
    const starts = (await server.call<{ starts_at: string }>('GET', `/api/v1/events/${french}`)).json.starts_at;
    const inBerlin = new Intl.DateTimeFormat('fr', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    }).format(new Date(starts)); // "23:00 UTC+1" (UTC+2 in summer)
    await expect(text(page, '.lead')).resolves.toContain(inBerlin);
    await screenshot(page, 'fr-buy-event-default');
    await clean(page);
    await japanese.close();
    // Someone whose browser asks for English keeps English on the same page.
    const english = await browser.newContext({ viewport: PHONE, locale: 'en-GB' });
    const other = await openPage(english, `${server.url}/e/${french}`);
    await other.waitForSelector('h1:has-text("Soirée")');
    await expect(text(other, 'h2')).resolves.toBe('GA tickets');
    await english.close();
  });

  it('the last language chosen wins, whichever download ends last', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'en-GB' });
    // German arrives slowly (a bad connection), Spanish at once.
    let releaseGerman = () => {};
    const germanHeld = new Promise<void>((resolve) => (releaseGerman = resolve));
    await context.route(/\/assets\/de-[\w-]+\.js$/, async (route) => {
      await germanHeld;
      await route.continue();
    });
    const page = await openPage(context, `${server.url}/e/${eventId}`);
    await page.waitForSelector('h1:has-text("Sprachennacht")');
    await page.selectOption('.topbar [data-testid=language]', 'de');
    await page.selectOption('.topbar [data-testid=language]', 'es');
    await expect.poll(() => text(page, 'h2')).toBe('Entradas GA');
    releaseGerman();
    // German is here now, after Spanish: it is kept for later, and the page stays Spanish. Importing
    // the same chunk here resolves once the page's own import did, its callbacks run (one task).
    const germanChunk = () =>
      page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((r) => r.name)
          .find((name) => /\/assets\/de-[\w-]+\.js$/.test(name)),
      );
    await expect.poll(germanChunk).toBeDefined();
    // (A string: vitest would rewrite an import() written in this file.)
    await page.evaluate(`import(${JSON.stringify(await germanChunk())}).then(() => true)`);
    await expect(text(page, 'h2')).resolves.toBe('Entradas GA');
    await expect(page.evaluate(() => localStorage.getItem('velvet.locale'))).resolves.toBe('es');
    await clean(page);
    await context.close();
  });

  it('an owner abroad sets the night at the venue’s hour: the editor reads and writes its times in the venue’s zone', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'America/New_York' });
    const page = await ownerIn(context, '/admin/events/new', 'Password');
    await page.waitForSelector('[data-testid=venue-zone]');
    await expect(text(page, '[data-testid=venue-zone]')).resolves.toBe(
      'Times as the clock at the venue reads them (Europe/Berlin)',
    );
    await page.fill('#ev-name', 'Berlin from New York');
    await page.fill('#ev-start', '2027-01-08T23:00');
    await page.fill('#ev-end', '2027-01-09T05:00');
    await page.click('button:has-text("Create event")');
    await page.waitForURL(/\/admin\/events\/[0-9a-f-]+$/);
    const id = /\/admin\/events\/([0-9a-f-]+)$/.exec(page.url())![1]!;
    const saved = (await server.call<{ starts_at: string; ends_at: string }>('GET', `/api/v1/events/${id}`)).json;
    // 23:00 in Berlin in January is 22:00 UTC (17:00 in New York, where this owner's laptop is).
    expect(saved).toMatchObject({ starts_at: '2027-01-08T22:00:00.000Z', ends_at: '2027-01-09T04:00:00.000Z' });
    await expect.poll(() => text(page, '.muted')).toContain('23:00');
    await page.goto(`${server.url}/admin/events/${id}/edit`);
    await expect.poll(() => page.inputValue('#ev-start')).toBe('2027-01-08T23:00');
    await clean(page);
    await context.close();
  });
});
