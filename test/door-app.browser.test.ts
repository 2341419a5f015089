import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scans } from '../src/db/schema.js';
import { writeQrVideo } from './support/fake-camera.js';
import {
  appErrors,
  buyPaidOrder,
  type PaidTicket,
  DESKTOP,
  haveChromium,
  launchBrowser,
  logIn,
  openPage,
  OWNER,
  PHONE,
  screenshot,
  STAFF,
  startWebServer,
  tonightBody,
  type WebServer,
} from './support/browser.js';

// The door app and the live floor plan, in a real Chromium against a real Velvet.

let server: WebServer;
let browser: Browser;
let eventId: string;
let tables: Array<{ id: string; number: number }>;

const buy = (body: Record<string, unknown>) => buyPaidOrder(server, eventId, body);

/** Logs in on /door, picks tonight's event (the default choice) and names the device. */
async function openDoor(context: BrowserContext, scannerId: string, shots = false): Promise<Page> {
  const page = await openPage(context, `${server.url}/door`);
  await page.waitForSelector('#login-email');
  if (shots) await screenshot(page, 'door-login');
  await logIn(page, STAFF);
  await page.waitForSelector('#scanner-id');
  await page.fill('#scanner-id', scannerId);
  await expect.poll(() => page.isChecked(`input[name=event][value="${eventId}"]`)).toBe(true);
  if (shots) await screenshot(page, 'door-setup');
  await page.click('button[type=submit]');
  await page.waitForSelector('#door-input');
  await expect.poll(() => page.getAttribute('.status-strip', 'data-online')).toBe('true');
  return page;
}

async function typeCode(page: Page, code: string): Promise<void> {
  await page.fill('#door-input', code);
  await page.press('#door-input', 'Enter');
}

/** Types a code like a handheld scanner does and waits for the door's answer about `name`. */
async function scanFor(page: Page, code: string, name: string, result: string): Promise<void> {
  const previous = (await lastResult(page).count()) ? await lastResult(page).getAttribute('data-id') : null;
  await typeCode(page, code);
  await resultFor(page, name, result, previous);
}

/** Rows in one of the door's IndexedDB stores on this device. */
function storedRows(page: Page, store: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('velvet');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const count = open.result.transaction(name, 'readonly').objectStore(name).count();
          count.onsuccess = () => {
            resolve(count.result);
            open.result.close();
          };
        };
      }),
    store,
  );
}

const banner = (page: Page) => page.locator('[data-testid=result-banner]');
const lastResult = (page: Page) => page.locator('[data-testid=last-result]');

/**
 * Waits for the door to show the result of the scan just made: a card for `name` with `result`
 * that is not the card that was there before (the same person may be scanned twice in a row).
 */
async function resultFor(page: Page, name: string, result: string, previous: string | null): Promise<string> {
  await expect
    .poll(async () => {
      const card = lastResult(page);
      if (!(await card.count())) return null;
      const [text, shown, id] = await Promise.all([
        card.textContent(),
        card.getAttribute('data-result'),
        card.getAttribute('data-id'),
      ]);
      return id !== previous && text?.includes(name) ? shown : null;
    })
    .toBe(result);
  return (await lastResult(page).getAttribute('data-id'))!;
}

describe.skipIf(!haveChromium)('door app and live floor plan (Chromium)', () => {
  beforeAll(async () => {
    server = await startWebServer();
    const created = await server.call<{ id: string; tables: Array<{ id: string; number: number }> }>(
      'POST',
      '/api/v1/events',
      tonightBody(),
    );
    expect(created.status).toBe(201);
    eventId = created.json.id;
    tables = created.json.tables;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    'a VIP host scanned at the door shows as arrived on the floor plan within a second, with the VIP banner and guest list',
    { timeout: 90_000 },
    async () => {
      const table = tables.find((t) => t.number === 1)!;
      const host = await buy({ name: 'Vera Host', table_id: table.id });
      const guest = await buy({ name: 'Gus Guest' });
      const link = await server.call(
        'POST',
        `/api/v1/reservations/${host.reservationId}/guests`,
        { ticket_id: guest.tickets[0]!.id },
        server.staffToken,
      );
      expect(link.status).toBe(200);

      const floorContext = await browser.newContext({ viewport: DESKTOP });
      const floor = await openPage(floorContext, `${server.url}/events/${eventId}/floor`);
      await logIn(floor, OWNER);
      await floor.waitForSelector('.live-badge[data-status=live]');
      const tableOnPlan = floor.locator('g.table[data-table="1"]');
      await expect.poll(() => tableOnPlan.getAttribute('data-status')).toBe('reserved');
      await screenshot(floor, 'floor-plan');

      const doorContext = await browser.newContext({ viewport: PHONE });
      const door = await openDoor(doorContext, 'door-1', true);
      await screenshot(door, 'door-ready');

      // The floor page stamps the moment the table turns "arrived" itself, so the screenshots and
      // checks below (slow on a loaded CI box) are not counted as floor-plan lag.
      await floor.evaluate(() => {
        const table = document.querySelector('g.table[data-table="1"]')!;
        new MutationObserver(() => {
          if (table.getAttribute('data-status') === 'arrived')
            table.setAttribute('data-arrived-at', String(Date.now()));
        }).observe(table, { attributes: true, attributeFilter: ['data-status'] });
      });
      const hostCode = host.tickets.find((t) => t.is_host)!.qr;
      const scannedAt = Date.now();
      await scanFor(door, hostCode, 'Vera Host', 'admitted');
      await expect(banner(door).getAttribute('data-result')).resolves.toBe('admitted');
      await expect(banner(door).locator('.who').textContent()).resolves.toContain('VIP — Table 1 · Gold');
      await expect(banner(door).locator('.guest-list').textContent()).resolves.toContain('Gus Guest');
      await screenshot(door, 'door-vip-host');

      await tableOnPlan.and(floor.locator('[data-status=arrived]')).waitFor({ timeout: 2000 });
      // From before the door sends the scan to the floor plan showing it: the scan's own round trip
      // plus the commit → stream → render path.
      expect(Number(await tableOnPlan.getAttribute('data-arrived-at')) - scannedAt).toBeLessThan(1500);

      // The host steps out and back in: RE-ENTRY (a typed or handheld-scanned code is always
      // answered, even the same one right after). The same code at another door a moment later is
      // admitted with the shared-screenshot warning (amber).
      await scanFor(door, hostCode, 'Vera Host', 'reentry');
      await expect(banner(door).locator('.headline').textContent()).resolves.toBe('RE-ENTRY');
      await screenshot(door, 'door-reentry');
      const otherDoor = await openDoor(await browser.newContext({ viewport: PHONE }), 'door-2');
      await scanFor(otherDoor, hostCode, 'Vera Host', 'reentry');
      await expect(banner(otherDoor).locator('.headline').textContent()).resolves.toBe('CHECK');
      await expect(banner(otherDoor).locator('.reason').textContent()).resolves.toContain('shared screenshot');
      await screenshot(otherDoor, 'door-warning');
      await otherDoor.context().close();
      await expect(floor.getByTestId('tables-arrived').textContent()).resolves.toBe('1/1');
      await tableOnPlan.click();
      await expect.poll(() => floor.locator('.table-detail').textContent()).toContain('Gus Guest');
      await screenshot(floor, 'floor-plan-arrived');

      // The guest: "Guest of Table 1" and the host's name.
      await scanFor(door, guest.tickets[0]!.qr, 'Gus Guest', 'admitted');
      await expect(lastResult(door).textContent()).resolves.toContain('Guest of Table 1');
      await expect(lastResult(door).textContent()).resolves.toContain('Vera Host');
      await screenshot(door, 'door-vip-guest');

      // A plain GA ticket twice in a row (passed back to a friend): admitted, then refused in words.
      const ga = await buy({ name: 'Greta Ga' });
      await scanFor(door, ga.tickets[0]!.qr, 'Greta Ga', 'admitted');
      await screenshot(door, 'door-admitted');
      await scanFor(door, ga.tickets[0]!.qr, 'Greta Ga', 'rejected');
      await expect(banner(door).locator('.reason').textContent()).resolves.toMatch(
        /Already checked in \d\d:\d\d at door-1/,
      );
      await screenshot(door, 'door-rejected');
      // Typing right after a scan folds the result away: the search results are not hidden under it.
      await door.fill('#door-input', 'gus gu');
      await expect.poll(() => banner(door).count()).toBe(0);
      await expect.poll(() => door.locator('.hit', { hasText: 'Gus Guest' }).isVisible()).toBe(true);
      await door.fill('#door-input', '');

      expect(appErrors(door)).toEqual([]);
      expect(appErrors(floor)).toEqual([]);
      await doorContext.close();
      await floorContext.close();
    },
  );

  it('a ticket for a night that has not begun is refused with when the door opens', async () => {
    const tomorrow = Date.now() + 26 * 3600_000;
    const created = await server.call<{ id: string }>('POST', '/api/v1/events', {
      ...tonightBody('Tomorrow Night'),
      starts_at: new Date(tomorrow).toISOString(),
      ends_at: new Date(tomorrow + 6 * 3600_000).toISOString(),
    });
    expect(created.status).toBe(201);
    const placed = await server.call<{ order_id: string; manage_token: string }>(
      'POST',
      `/api/v1/events/${created.json.id}/orders`,
      { email: 'early@example.com', name: 'Eddie Early', ga_quantity: 1 },
    );
    const paid = await server.call<{ tickets: PaidTicket[] }>(
      'POST',
      `/api/v1/orders/${placed.json.order_id}/pay-local`,
      undefined,
      placed.json.manage_token,
    );
    const context = await browser.newContext({ viewport: PHONE });
    const page = await openPage(context, `${server.url}/door`);
    await page.waitForSelector('#login-email');
    await logIn(page, STAFF);
    await page.waitForSelector('#scanner-id');
    await page.fill('#scanner-id', 'door-early');
    await page.check(`input[name=event][value="${created.json.id}"]`);
    await page.click('button[type=submit]');
    await page.waitForSelector('#door-input');
    await scanFor(page, paid.json.tickets[0]!.qr, 'Eddie Early', 'rejected');
    await expect(lastResult(page).textContent()).resolves.toMatch(
      /Too early: the door opens \w{3}, \w{3} \d+, \d\d:\d\d/,
    );
    await screenshot(page, 'door-too-early');
    expect(appErrors(page)).toEqual([]);
    await context.close();
  });

  it('search by name or e-mail admits the guest whose phone died', async () => {
    const lost = await buy({ name: 'Phoebe Nophone', email: 'phoebe.n@example.org' });
    const context = await browser.newContext({ viewport: PHONE });
    const door = await openDoor(context, 'door-search');
    const hit = door.locator('.hit', { hasText: 'Phoebe Nophone' });
    for (const query of ['phoebe.n@example.org', 'phoebe.n@', 'example.org', 'PHOEBE nop']) {
      await door.fill('#door-input', query);
      await expect.poll(() => hit.count(), { message: query }).toBe(1);
    }
    await expect(hit.locator('.pill').textContent()).resolves.toBe('not in yet');
    // The placeholder fits a phone's input.
    expect(
      await door.$eval(
        '#door-input',
        (el) => (el as HTMLInputElement).scrollWidth <= (el as HTMLInputElement).clientWidth,
      ),
    ).toBe(true);
    await screenshot(door, 'door-search');
    await hit.click();
    await resultFor(door, 'Phoebe Nophone', 'admitted', null);
    const scans = await server.call<{ tickets: PaidTicket[] }>(
      'GET',
      `/api/v1/orders/${lost.orderId}`,
      undefined,
      lost.token,
    );
    expect(scans.json.tickets[0]).toMatchObject({ status: 'checked_in' });

    // A handheld scanner "types" the code and Enter, wherever the focus is: no need to touch the screen.
    const wedge = await buy({ name: 'Wendy Wedge' });
    await door.locator('.counters').click();
    expect(await door.evaluate(() => document.activeElement?.id)).not.toBe('door-input');
    const previous = await lastResult(door).getAttribute('data-id');
    await door.keyboard.type(`${wedge.tickets[0]!.qr}\n`, { delay: 2 });
    await resultFor(door, 'Wendy Wedge', 'admitted', previous);
    expect(appErrors(door)).toEqual([]);
    await context.close();
  });

  it(
    "a 21+ night: every admission says ID CHECK 21+; the host's card lets staff in the guests standing there, one tap each, online and offline",
    { timeout: 120_000 },
    async () => {
      const details = (minAge: number | null) =>
        server.call('PUT', `/api/v1/events/${eventId}/details`, {
          venue_name: '',
          venue_address: '',
          description: '',
          min_age: minAge,
        });
      expect((await details(21)).status).toBe(200);
      try {
        const table = tables.find((t) => t.number === 2)!;
        const host = await buy({ name: 'Tessa Table', table_id: table.id, age_confirmed: true });
        const guests = [];
        for (const name of ['Gina Guest', 'Gus Guest']) {
          const g = await buy({ name, age_confirmed: true });
          expect(
            (
              await server.call(
                'POST',
                `/api/v1/reservations/${host.reservationId}/guests`,
                { ticket_id: g.tickets[0]!.id },
                server.staffToken,
              )
            ).status,
          ).toBe(200);
          guests.push(g);
        }
        const context = await browser.newContext({ viewport: PHONE });
        const door = await openDoor(context, 'door-table');
        await scanFor(door, host.tickets.find((t) => t.is_host)!.qr, 'Tessa Table', 'admitted');
        await expect(banner(door).getByTestId('id-check').textContent()).resolves.toBe('ID CHECK 21+');
        await screenshot(door, 'door-id-check');
        await door.keyboard.press('Escape');
        const card = lastResult(door);
        await expect(card.getByTestId('table-arrivals').textContent()).resolves.toBe('Guests: 0 of 2 arrived');
        await card.getByRole('button', { name: 'Let in Gina Guest' }).click();
        await expect.poll(() => card.getByTestId('table-arrivals').textContent()).toBe('Guests: 1 of 2 arrived');
        // The host's card stays: the next guest is one more tap.
        await expect(card.textContent()).resolves.toContain('Tessa Table');
        await screenshot(door, 'door-table-admit');
        const gina = await server.call<{ tickets: Array<{ status: string }> }>(
          'GET',
          `/api/v1/orders/${guests[0]!.orderId}`,
          undefined,
          guests[0]!.token,
        );
        expect(gina.json.tickets[0]!.status).toBe('checked_in');
        const rows = await server.deps.database.db
          .select()
          .from(scans)
          .where(eq(scans.ticketId, guests[0]!.tickets[0]!.id));
        expect(rows.map((r) => [r.method, r.result])).toEqual([['manual', 'admitted']]);

        // No network: the tap is decided from the cache and synced when it is back.
        await context.setOffline(true);
        await card.getByRole('button', { name: 'Let in Gus Guest' }).click();
        await expect.poll(() => card.getByTestId('table-arrivals').textContent()).toBe('Guests: 2 of 2 arrived');
        await expect.poll(() => door.getAttribute('.status-strip', 'data-pending')).toBe('1');
        await context.setOffline(false);
        await expect.poll(() => door.getAttribute('.status-strip', 'data-pending'), { timeout: 15_000 }).toBe('0');
        const gus = await server.call<{ tickets: Array<{ status: string }> }>(
          'GET',
          `/api/v1/orders/${guests[1]!.orderId}`,
          undefined,
          guests[1]!.token,
        );
        expect(gus.json.tickets[0]!.status).toBe('checked_in');
        expect(appErrors(door)).toEqual([]);
        await context.close();
      } finally {
        await details(null);
      }
    },
  );

  it(
    "every door's count is pushed to the door app live: a scan at another door shows within seconds, the total too",
    { timeout: 60_000 },
    async () => {
      const context = await browser.newContext({ viewport: PHONE });
      const door = await openDoor(context, 'door-live');
      const panel = door.getByTestId('all-doors');
      await expect.poll(() => panel.getAttribute('data-live')).toBe('true');
      const before = Number(await door.getByTestId('all-doors-admitted').textContent());
      const walkIn = await buy({ name: 'Lena Live' });
      const res = await server.call(
        'POST',
        '/api/v1/scans',
        { qr: walkIn.tickets[0]!.qr, scanner_id: 'door-elsewhere', event_id: eventId },
        server.staffToken,
      );
      expect(res.status).toBe(200);
      await expect
        .poll(() => door.getByTestId('all-doors-admitted').textContent(), { timeout: 10_000 })
        .toBe(String(before + 1));
      await expect(panel.textContent()).resolves.toContain('door-elsewhere');
      // This door's own counters catch up at once rather than at the next refresh: the screens agree.
      await expect
        .poll(() => door.getByTestId('admitted').textContent(), { timeout: 10_000 })
        .toMatch(new RegExp(`^${before + 1}/`));
      await screenshot(door, 'door-all-doors');
      expect(appErrors(door)).toEqual([]);
      await context.close();
    },
  );

  it(
    'offline: decides from the cache, survives a reload, syncs when back and shows the conflict',
    { timeout: 120_000 },
    async () => {
      const ga = await buy({ name: 'Olga Offline' });
      const twice = await buy({ name: 'Tom Twice' });
      const late = await buy({ name: 'Pia Provisional' });
      const table = tables.find((t) => t.number === 3)!;
      const host = await buy({ name: 'Harry Host', table_id: table.id });
      const hostCode = host.tickets.find((t) => t.is_host)!.qr;

      const context = await browser.newContext({ viewport: PHONE });
      const door = await openDoor(context, 'door-off');
      // The VIP host comes in while online, so their scan offline later is a re-entry.
      await scanFor(door, hostCode, 'Harry Host', 'admitted');
      // The service worker has the app shell before the network goes (it takes over on install).
      await expect
        .poll(() => door.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 15_000 })
        .toBe(true);

      await context.setOffline(true);
      await scanFor(door, ga.tickets[0]!.qr, 'Olga Offline', 'admitted');
      await expect(lastResult(door).textContent()).resolves.toContain('provisional');
      await expect.poll(() => door.getAttribute('.status-strip', 'data-online')).toBe('false');
      await expect(door.getByTestId('synced').textContent()).resolves.toMatch(/last synced \d\d:\d\d/);
      await screenshot(door, 'door-offline-admitted');
      await scanFor(door, ga.tickets[0]!.qr, 'Olga Offline', 'rejected');
      await expect(lastResult(door).textContent()).resolves.toMatch(/Already checked in \d\d:\d\d at door-off/);
      await scanFor(door, hostCode, 'Harry Host', 'reentry');
      await expect(lastResult(door).textContent()).resolves.toContain('VIP — Table 3 · Silver');

      // Tom is let in at another door (online) while this one is offline, and here too.
      const elsewhere = await server.call(
        'POST',
        '/api/v1/scans',
        { qr: twice.tickets[0]!.qr, scanner_id: 'door-2', event_id: eventId },
        server.staffToken,
      );
      expect(elsewhere.status).toBe(200);
      await scanFor(door, twice.tickets[0]!.qr, 'Tom Twice', 'admitted');
      await expect.poll(() => door.getAttribute('.status-strip', 'data-pending')).toBe('4');
      // A code no ticket could have (longer than the server takes): the server refuses any batch
      // holding it, which must not keep the good scans beside it from syncing.
      await typeCode(door, 'X'.repeat(5000));
      await expect.poll(() => door.getAttribute('.status-strip', 'data-pending')).toBe('5');

      // A phone that reloads the page with no network still opens the scanner, queue intact, and its
      // counters come from the stored ticket list at once (not 0/0 until the next scan).
      const counted = await door.getByTestId('admitted').textContent();
      expect(counted).not.toBe('0/0');
      await door.reload();
      await door.waitForSelector('#door-input');
      await expect.poll(() => door.getAttribute('.status-strip', 'data-pending')).toBe('5');
      await expect.poll(() => door.getByTestId('admitted').textContent(), { timeout: 3000 }).toBe(counted);
      await screenshot(door, 'door-offline-reloaded');
      await scanFor(door, late.tickets[0]!.qr, 'Pia Provisional', 'admitted');
      await expect(lastResult(door).textContent()).resolves.toContain('provisional');
      await expect.poll(() => door.getAttribute('.status-strip', 'data-pending')).toBe('6');

      await context.setOffline(false);
      await expect.poll(() => door.getAttribute('.status-strip', 'data-pending'), { timeout: 15_000 }).toBe('0');
      await expect.poll(() => door.getAttribute('.status-strip', 'data-online')).toBe('true');
      const conflict = door.getByTestId('conflict');
      await expect.poll(() => conflict.count()).toBe(2);
      // What was decided here has reached the server: no longer provisional.
      await expect.poll(() => lastResult(door).textContent()).not.toContain('provisional');
      const conflicts = await conflict.allTextContents();
      expect(conflicts.find((c) => c.includes('Tom Twice'))).toContain('already been checked in');
      expect(conflicts.filter((c) => c.includes('Could not be synced'))).toHaveLength(1);
      await screenshot(door, 'door-conflict');

      const order = await server.call<{ tickets: PaidTicket[] & Array<{ status: string }> }>(
        'GET',
        `/api/v1/orders/${ga.orderId}`,
        undefined,
        ga.token,
      );
      expect(order.json.tickets[0]).toMatchObject({ status: 'checked_in' });
      await door.click('.conflicts button');
      await expect.poll(() => conflict.count()).toBe(0);

      // Logging out leaves no ticket list on the phone: names, hosts and tables are gone with it.
      expect(await storedRows(door, 'tickets')).toBeGreaterThan(0);
      await door.click('details.menu summary');
      await door.getByRole('button', { name: 'Log out' }).click();
      await door.waitForSelector('#login-email');
      for (const store of ['tickets', 'meta', 'conflicts', 'queue'])
        expect(await storedRows(door, store), store).toBe(0);
      expect(appErrors(door).filter((e) => !e.includes('400'))).toEqual([]);
      await context.close();
    },
  );

  it(
    "the camera reads a VIP host's QR code (fake video): admitted once, and the floor plan shows the table arrived",
    { timeout: 90_000 },
    async () => {
      const table = tables.find((t) => t.number === 4)!;
      const cam = await buy({ name: 'Cam Era', table_id: table.id });
      const code = cam.tickets.find((t) => t.is_host)!;
      const dir = mkdtempSync(join(tmpdir(), 'velvet-cam-'));
      const video = join(dir, 'qr.y4m');
      // Shown for 1.5 s, taken away for 1 s, shown again (the file loops).
      writeQrVideo(video, code.qr, { frames: 15, blankFrames: 10 });
      const camBrowser = await launchBrowser([
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ]);
      try {
        const floor = await openPage(
          await camBrowser.newContext({ viewport: DESKTOP }),
          `${server.url}/events/${eventId}/floor`,
        );
        await logIn(floor, OWNER);
        await floor.waitForSelector('.live-badge[data-status=live]');
        const context = await camBrowser.newContext({ viewport: PHONE });
        const door = await openDoor(context, 'door-cam');
        await resultFor(door, 'Cam Era', 'admitted', null);
        await expect(lastResult(door).textContent()).resolves.toContain('VIP — Table 4 · Silver');
        await screenshot(door, 'door-camera');
        await floor.locator('g.table[data-table="4"][data-status=arrived]').waitFor({ timeout: 1000 });
        // Shown again and again, the code is one scan, not ten, and the door says it is the same code
        // again instead of staying silent.
        await expect.poll(() => lastResult(door).locator('.last-headline').textContent()).toBe('SAME CODE');
        await expect(lastResult(door).textContent()).resolves.toMatch(/Same code again — admitted \d+ s ago/);
        await screenshot(door, 'door-camera-same-code');
        const rows = await server.deps.database.db.select().from(scans).where(eq(scans.ticketId, code.id));
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ scannerId: 'door-cam', result: 'admitted' });
        expect(appErrors(door)).toEqual([]);
      } finally {
        await camBrowser.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
