import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appErrors,
  DESKTOP,
  haveChromium,
  launchBrowser,
  logIn,
  openPage,
  OWNER,
  PHONE,
  screenshot,
  startWebServer,
  tonightBody,
  type WebServer,
} from './support/browser.js';
import type { EventInfo } from './support/harness.js';

// The owner's dashboard, in a real Chromium against a real Velvet (refund worker running).

let server: WebServer;
let browser: Browser;

/** An event as the API answers it (src/http/responses.ts). */
type EventJson = EventInfo;

function futureEventBody(name: string) {
  const start = Date.now() + 3 * 24 * 3600_000;
  return {
    name,
    starts_at: new Date(start).toISOString(),
    ends_at: new Date(start + 6 * 3600_000).toISOString(),
    currency: 'EUR',
    ga: { price_cents: 2000, capacity: 200 },
    tiers: [{ name: 'Gold', price_cents: 40000, capacity: 6 }],
    tables: [
      { number: 1, tier: 'Gold', x: 120, y: 120 },
      { number: 2, tier: 'Gold', x: 300, y: 120 },
    ],
  };
}

async function ownerPage(url: string, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await openPage(context, url);
  await page.waitForSelector('#login-email');
  await logIn(page, OWNER);
  return page;
}

/** Drags a table of the editor so that its centre lands on (x, y) of the room's coordinates. */
async function dragTable(page: Page, number: number, to: { x: number; y: number }) {
  const table = page.locator(`.floor-editor g.table[data-table="${number}"]`);
  const box = (await table.boundingBox())!;
  // Room → screen: the SVG's own transform, asked of the page.
  const target = await page.evaluate(({ x, y }) => {
    const svg = document.querySelector('.floor-editor svg') as SVGSVGElement;
    const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM()!);
    return { x: p.x, y: p.y };
  }, to);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move((box.x + box.width / 2 + target.x) / 2, (box.y + box.height / 2 + target.y) / 2, { steps: 4 });
  await page.mouse.move(target.x, target.y, { steps: 4 });
  await page.mouse.up();
}

describe.skipIf(!haveChromium)("owner's dashboard (Chromium)", () => {
  beforeAll(async () => {
    // Every test logs the owner in through the page, more often than the per-address login limit
    // allows in a minute (its own tests are in test/rate-limit.test.ts).
    server = await startWebServer({ env: { VELVET_LOGIN_ATTEMPTS_PER_MINUTE: '100' } });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    'the owner creates an event with two tiers and four tables placed by dragging, then sees it on the public page',
    { timeout: 120_000 },
    async () => {
      const page = await ownerPage(`${server.url}/admin`);
      await page.waitForSelector('text=New event');
      await page.click('text=New event');
      await page.waitForSelector('#ev-name');
      await page.fill('#ev-name', 'Dragged Night');
      await page.fill('#ev-venue', 'The Vault');
      await page.fill('#ev-address', 'Köpenicker Str. 70, 10179 Berlin');
      await page.fill('#ev-description', 'House and disco all night.\nDress code: dress up.');
      // A Berlin night: its mails (for orders placed without a language of their own) in German.
      await page.selectOption('#ev-locale', 'de');
      await page.setInputFiles('#ev-cover', {
        name: 'cover.jpg',
        mimeType: 'image/jpeg',
        buffer: await sharp({ create: { width: 2400, height: 1350, channels: 3, background: '#5b21b6' } })
          .jpeg()
          .toBuffer(),
      });
      await page.waitForSelector('img.cover-preview');
      await page.fill('#tier-price-0', '450');
      await page.fill('#tier-capacity-0', '8');
      await page.fill('#tier-name-1', 'Silver');
      await page.fill('#tier-capacity-1', '4');
      for (let i = 0; i < 4; i++) await page.click('text=Add a table');
      const spots = [
        { x: 140, y: 120 },
        { x: 400, y: 120 },
        { x: 140, y: 360 },
        { x: 400, y: 360 },
      ];
      for (const [i, spot] of spots.entries()) await dragTable(page, i + 1, spot);
      for (const n of [3, 4]) {
        await page.click(`.floor-editor g.table[data-table="${n}"]`);
        await page.selectOption('#table-tier', 'Silver');
      }
      await screenshot(page, 'admin-new-event');
      await page.click('button:has-text("Create event")');
      await page.waitForURL(/\/admin\/events\/[0-9a-f-]+$/);
      const id = /\/admin\/events\/([0-9a-f-]+)$/.exec(page.url())![1]!;
      await page.waitForSelector('text=Dragged Night');
      await screenshot(page, 'admin-event');

      const saved = (await server.call<EventJson>('GET', `/api/v1/events/${id}`)).json;
      expect(saved.locale).toBe('de');
      expect(saved.tiers.map((t) => [t.name, t.price_cents, t.capacity]).sort()).toEqual([
        ['Gold', 45000, 8],
        ['Silver', 25000, 4],
      ]);
      // Where they were dropped, snapped to the 20-unit grid.
      expect(saved.tables.map((t) => [t.number, t.tier, t.x, t.y]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(
        [
          [1, 'Gold', 140, 120],
          [2, 'Gold', 400, 120],
          [3, 'Silver', 140, 360],
          [4, 'Silver', 400, 360],
        ],
      );

      expect(saved).toMatchObject({
        venue_name: 'The Vault',
        venue_address: 'Köpenicker Str. 70, 10179 Berlin',
        description: 'House and disco all night.\nDress code: dress up.',
      });
      expect(saved.cover_url).toMatch(/\/cover\?v=/);

      const buyer = await openPage(await browser.newContext({ viewport: PHONE }), `${server.url}/e/${id}`);
      await buyer.waitForSelector('text=Dragged Night');
      // Where, what, and the cover Velvet resized, on the buyer's page.
      await expect
        .poll(() => buyer.$eval('[data-testid="cover"]', (img) => (img as HTMLImageElement).naturalWidth))
        .toBe(1600);
      expect(await buyer.textContent('[data-testid="venue"]')).toBe('The Vault · Köpenicker Str. 70, 10179 Berlin Map');
      expect(await buyer.getAttribute('[data-testid="venue"] a', 'href')).toBe(
        'https://www.openstreetmap.org/search?query=K%C3%B6penicker%20Str.%2070%2C%2010179%20Berlin',
      );
      expect(await buyer.textContent('[data-testid="description"]')).toBe(
        'House and disco all night.\nDress code: dress up.',
      );
      await screenshot(buyer, 'buy-event-details');

      // A file that is not a picture, picked by mistake: refused next to the cover field, the rest saved.
      await page.goto(`${server.url}/admin/events/${id}/edit`);
      await page.waitForSelector('img.cover-preview');
      await page.setInputFiles('#ev-cover', {
        name: 'notes.png',
        mimeType: 'image/png',
        buffer: Buffer.from('these are my notes, not a picture'),
      });
      await page.fill('#ev-venue', 'The Vault, upstairs');
      await page.click('button:has-text("Save changes")');
      await page.waitForSelector('#ev-cover-error');
      expect(await page.textContent('#ev-cover-error')).toContain('not an image Velvet can read');
      expect(await page.getAttribute('#ev-cover', 'aria-invalid')).toBe('true');
      await screenshot(page, 'admin-cover-refused');
      const after = (await server.call<EventJson>('GET', `/api/v1/events/${id}`)).json;
      expect(after.venue_name).toBe('The Vault, upstairs');
      expect(after.cover_url).toBe(saved.cover_url);
      expect(await buyer.locator('g.table').count()).toBe(4);
      expect(await buyer.getAttribute('g.table[data-table="3"]', 'aria-label')).toContain('Silver');
      await page.goto(`${server.url}/admin`);
      await page.waitForSelector('text=Dragged Night');
      await screenshot(page, 'admin-events');
      for (const p of [page, buyer]) expect(appErrors(p)).toEqual([]);
    },
  );

  it(
    'the owner cancels a future event with paid orders: the right total, progress to done, buyers told, the floor free again',
    { timeout: 120_000 },
    async () => {
      const created = await server.call<EventJson>('POST', '/api/v1/events', futureEventBody('Cancelled Night'));
      const event = created.json;
      const orders: Array<{ order_id: string; manage_token: string }> = [];
      for (const body of [{ ga_quantity: 2 }, { ga_quantity: 1, table_id: event.tables[0]!.id }, { ga_quantity: 3 }]) {
        const placed = await server.call<{ order_id: string; manage_token: string }>(
          'POST',
          `/api/v1/events/${event.id}/orders`,
          { email: `c${orders.length}@example.com`, name: 'Cat', ...body },
        );
        await server.call(
          'POST',
          `/api/v1/orders/${placed.json.order_id}/pay-local`,
          undefined,
          placed.json.manage_token,
        );
        orders.push(placed.json);
      }
      // 6 GA at 20.00 and a Gold table at 400.00; the last order (3 GA, 60.00) is refunded on its own
      // first: the cancellation refunds the other two, and says so.
      const single = await server.call(
        'POST',
        `/api/v1/orders/${orders[2]!.order_id}/refund`,
        { amount_cents: 6000 },
        server.ownerToken,
      );
      expect(single.status).toBe(202);
      const page = await ownerPage(`${server.url}/admin/events/${event.id}`);
      await page.waitForSelector('text=Cancel event');
      await page.click('text=Cancel event');
      await page.waitForSelector('[data-testid="cancel-preview"]');
      expect(await page.textContent('[data-testid="refund-total"]')).toBe('€460.00');
      const approve = page.locator('button:has-text("Approve")');
      expect(await approve.isDisabled()).toBe(true);
      await page.fill('#confirm-name', 'Cancelled Night');
      await screenshot(page, 'admin-cancel-confirm');
      await approve.click();
      await page.waitForSelector('[data-testid="refund-progress"] >> text=All refunds done', { timeout: 30_000 });
      expect(await page.textContent('[data-testid="refunds-succeeded"]')).toBe('2');
      expect(await page.textContent('[data-testid="refunds-money"]')).toBe('€460.00 of €460.00 refunded (2 orders)');
      expect(await page.textContent('[data-testid="refunds-earlier"]')).toContain(
        '1 order was refunded on its own before (€60.00)',
      );
      await screenshot(page, 'admin-cancel-done');

      const buyer = await openPage(
        await browser.newContext({ viewport: PHONE }),
        `${server.url}/orders/${orders[1]!.order_id}#token=${orders[1]!.manage_token}`,
      );
      await buyer.waitForSelector('[data-testid="order-status"]:has-text("Refunded")');
      expect(await buyer.textContent('[data-testid="refund"]')).toContain('€420.00 has been refunded');
      // Nothing left to give away or plan: no "give a ticket to a friend" on a refunded order.
      expect(await buyer.textContent('main')).not.toContain('give a');
      await screenshot(buyer, 'order-refunded');

      await page.goto(`${server.url}/admin/events/${event.id}`);
      await page.waitForSelector('g.table[data-table="1"][data-status="available"]');
      expect(await page.textContent('[data-testid="event-status"]')).toBe('Cancelled');
      for (const p of [page, buyer]) expect(appErrors(p)).toEqual([]);
    },
  );

  it(
    'after sales the owner moves a sold table and changes prices; a refusal is shown in words next to its field',
    { timeout: 90_000 },
    async () => {
      const event = (await server.call<EventJson>('POST', '/api/v1/events', futureEventBody('Edited Night'))).json;
      const placed = await server.call<{ order_id: string; manage_token: string }>(
        'POST',
        `/api/v1/events/${event.id}/orders`,
        { email: 'sold@example.com', name: 'Sol', ga_quantity: 3, table_id: event.tables[0]!.id },
      );
      await server.call(
        'POST',
        `/api/v1/orders/${placed.json.order_id}/pay-local`,
        undefined,
        placed.json.manage_token,
      );
      const page = await ownerPage(`${server.url}/admin/events/${event.id}/edit`);
      await page.waitForSelector('.floor-editor g.table[data-table="1"]');
      await page.click('.floor-editor g.table[data-table="1"]');
      await page.waitForSelector('text=Held or sold: it can move');
      await dragTable(page, 1, { x: 600, y: 400 });
      // By keyboard alone: focus table 2, pick it, two steps right and one down (20 units each).
      const before = event.tables.find((t) => t.number === 2)!;
      await page.focus('.floor-editor g.table[data-table="2"]');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-table'))).toBe('2');
      await page.keyboard.press('Enter');
      for (const key of ['ArrowRight', 'ArrowRight', 'ArrowDown']) await page.keyboard.press(key);
      await page.fill('#ga-capacity', '2');
      await page.fill('#ga-price', '25');
      await page.click('button:has-text("Save changes")');
      await page.waitForSelector('.field .error:has-text("at least 3")');
      await screenshot(page, 'admin-edit-refused');
      await page.fill('#ga-capacity', '150');
      await page.click('button:has-text("Save changes")');
      await page.waitForURL(new RegExp(`/admin/events/${event.id}$`));
      const saved = (
        await server.call<EventJson & { ga: { price_cents: number; capacity: number } }>(
          'GET',
          `/api/v1/events/${event.id}`,
        )
      ).json;
      expect(saved.ga).toMatchObject({ price_cents: 2500, capacity: 150 });
      expect(saved.tables.find((t) => t.number === 1)).toMatchObject({ x: 600, y: 400 });
      expect(saved.tables.find((t) => t.number === 2)).toMatchObject({ x: before.x + 40, y: before.y + 20 });
      expect(appErrors(page)).toEqual([]);
    },
  );

  it(
    'the owner finds an order by name, refunds it after confirming the amount, and exports the attendees',
    { timeout: 90_000 },
    async () => {
      const event = (await server.call<EventJson>('POST', '/api/v1/events', futureEventBody('Orders Night'))).json;
      for (const name of ['Olga Order', 'Pete Party']) {
        const placed = await server.call<{ order_id: string; manage_token: string }>(
          'POST',
          `/api/v1/events/${event.id}/orders`,
          { email: `${name.split(' ')[0]!.toLowerCase()}@example.com`, name, ga_quantity: 1 },
        );
        await server.call(
          'POST',
          `/api/v1/orders/${placed.json.order_id}/pay-local`,
          undefined,
          placed.json.manage_token,
        );
      }
      const page = await ownerPage(`${server.url}/admin/events/${event.id}/orders`);
      await page.waitForSelector('[data-testid="found-orders"] >> text=Pete Party');
      // Before an order is chosen the other half of the screen says what will show there.
      await page.waitForSelector('[data-testid="order-detail-placeholder"]');
      expect(await page.title()).toBe('Orders · Velvet');
      await page.fill('#order-search', 'olga');
      await page.waitForFunction(
        () => !document.querySelector('[data-testid="found-orders"]')?.textContent?.includes('Pete Party'),
      );
      await page.click('[data-testid="found-orders"] >> text=Olga Order');
      await page.waitForSelector('[data-testid="order-detail"]');
      // Statuses in words, never the API's values.
      const detail = (await page.textContent('[data-testid="order-detail"]'))!;
      expect(detail).toContain('Paid');
      expect(detail).toContain('Not in yet');
      expect(detail).not.toMatch(/\b(paid|valid|checked_in)\b/);
      await page.click('text=Refund this order…');
      await page.waitForSelector('[data-testid="refund-confirm"]');
      await screenshot(page, 'admin-orders-refund');
      await page.click('[data-testid="refund-confirm"] >> button:has-text("Refund €20.00")');
      await page.waitForSelector('text=Refunding €20.00');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Attendees CSV')]);
      const { readFile } = await import('node:fs/promises');
      const csv = await readFile((await download.path())!, 'utf8');
      expect(csv).toContain('Pete Party');
      expect(csv).toContain('Olga Order');
      expect(appErrors(page)).toEqual([]);
    },
  );

  it(
    'ending the night asks on the page, not in a browser pop-up, and can be called off',
    { timeout: 90_000 },
    async () => {
      const event = (await server.call<EventJson>('POST', '/api/v1/events', tonightBody('Ending Night'))).json;
      const page = await ownerPage(`${server.url}/admin/events/${event.id}`);
      const popups: string[] = [];
      page.on('dialog', (d) => {
        popups.push(d.message());
        void d.dismiss();
      });
      await page.click('button:has-text("End event now")');
      await page.waitForSelector('[data-testid="end-confirm"]');
      await screenshot(page, 'admin-end-confirm');
      await page.click('[data-testid="end-confirm"] >> button:has-text("Keep it open")');
      await page.waitForSelector('[data-testid="end-confirm"]', { state: 'detached' });
      expect((await server.call<{ status: string }>('GET', `/api/v1/events/${event.id}`)).json.status).toBe(
        'scheduled',
      );
      await page.click('button:has-text("End event now")');
      await page.click('[data-testid="end-confirm"] >> button:has-text("End the night")');
      await expect.poll(() => page.textContent('[data-testid="event-status"]')).toBe('Over');
      expect((await server.call<{ status: string }>('GET', `/api/v1/events/${event.id}`)).json.status).toBe(
        'completed',
      );
      expect(popups).toEqual([]);
      expect(appErrors(page)).toEqual([]);
    },
  );

  it(
    'the owner adds a door account while Velvet runs, and disabling it ends its login',
    { timeout: 90_000 },
    async () => {
      const page = await ownerPage(`${server.url}/admin/staff`, PHONE);
      await page.waitForSelector('#acc-email');
      await page.fill('#acc-name', 'Dee Door');
      await page.fill('#acc-email', 'dee@example.com');
      await page.fill('#acc-password', 'dee-door-pass');
      await page.click('button:has-text("Add account")');
      await page.waitForSelector('text=dee@example.com can log in now.');
      const login = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'dee@example.com', password: 'dee-door-pass' },
      });
      expect(login.statusCode).toBe(200);
      const firstToken = login.json().token as string;
      await screenshot(page, 'admin-accounts');
      // The same e-mail again: refused in the form, at the field, not at the top of the page.
      await page.fill('#acc-email', 'dee@example.com');
      await page.fill('#acc-password', 'another-pass');
      await page.click('button:has-text("Add account")');
      await page.waitForSelector('form [data-testid="add-account-error"]');
      expect(await page.getAttribute('#acc-email', 'aria-invalid')).toBe('true');
      expect(await page.textContent(`#${await page.getAttribute('#acc-email', 'aria-describedby')}`)).toBe(
        'already has an account',
      );
      await screenshot(page, 'admin-accounts-taken');
      // A new password, typed in the page (no browser pop-up): the old one stops working.
      const popups: string[] = [];
      page.on('dialog', (d) => {
        popups.push(d.message());
        void d.dismiss();
      });
      await page.locator('li', { hasText: 'Dee Door' }).locator('button:has-text("Reset password")').click();
      await page.fill('#reset-password', 'dee-new-pass-2');
      await screenshot(page, 'admin-accounts-reset');
      await page.click('[data-testid="reset-password"] >> button:has-text("Set password")');
      await page.waitForSelector('text=dee@example.com has a new password');
      expect(popups).toEqual([]);
      const relogin = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'dee@example.com', password: 'dee-new-pass-2' },
      });
      expect(relogin.statusCode).toBe(200);
      // The reset ended the login made with the old password.
      expect(
        (await server.app.inject({ url: '/api/v1/events', headers: { authorization: `Bearer ${firstToken}` } }))
          .statusCode,
      ).toBe(401);
      const token = relogin.json().token as string;
      await page.locator('li', { hasText: 'Dee Door' }).locator('button:has-text("Disable")').click();
      await page.waitForSelector('text=dee@example.com is disabled');
      expect(
        (await server.app.inject({ url: '/api/v1/events', headers: { authorization: `Bearer ${token}` } })).statusCode,
      ).toBe(401);
      expect(appErrors(page)).toEqual([]);
    },
  );
  it(
    'the owner refuses someone: their ticket is refused at the door with the reason; taken off again, the record stays',
    { timeout: 90_000 },
    async () => {
      const created = await server.call<{ id: string }>('POST', '/api/v1/events', tonightBody('Refused Night'));
      const placed = await server.call<{ order_id: string; manage_token: string }>(
        'POST',
        `/api/v1/events/${created.json.id}/orders`,
        { email: 'trouble@example.com', name: 'Rick Trouble', ga_quantity: 1 },
      );
      const paid = await server.call<{ tickets: Array<{ qr: string }> }>(
        'POST',
        `/api/v1/orders/${placed.json.order_id}/pay-local`,
        undefined,
        placed.json.manage_token,
      );
      const page = await ownerPage(`${server.url}/admin/refused`, PHONE);
      await page.waitForSelector('text=Nobody is refused.');
      // A reason is required; the browser says so before anything is sent.
      await page.fill('#refused-name', '  rick   TROUBLE ');
      await page.fill('#refused-reason', 'Fight at the bar, 12 Oct');
      await page.click('button:has-text("Refuse at every door")');
      await page.waitForSelector('text=is refused at every door from now on.');
      await expect.poll(() => page.locator('[data-testid="refused"] li').count()).toBe(1);
      await screenshot(page, 'admin-refused');

      const scanned = await server.call<{ result: string; reason: string; refusal: string }>(
        'POST',
        '/api/v1/scans',
        { qr: paid.json.tickets[0]!.qr, scanner_id: 'door-1', event_id: created.json.id },
        server.staffToken,
      );
      expect(scanned.json).toMatchObject({
        result: 'rejected',
        reason: 'refused',
        refusal: 'Fight at the bar, 12 Oct',
      });

      await page.click('[data-testid="refused"] button:has-text("Remove")');
      await page.click('button:has-text("Let rick TROUBLE in again")');
      await page.waitForSelector('text=is no longer refused.');
      await page.waitForSelector('[data-testid="refused-removed"] li:has-text("removed by")');
      await screenshot(page, 'admin-refused-removed');
      const again = await server.call<{ result: string }>(
        'POST',
        '/api/v1/scans',
        { qr: paid.json.tickets[0]!.qr, scanner_id: 'door-1', event_id: created.json.id },
        server.staffToken,
      );
      expect(again.json.result).toBe('admitted');
      expect(appErrors(page)).toEqual([]);
    },
  );
  it(
    "the night's page shows the door live: a scan anywhere moves the total, the door's line and the chart without a reload",
    { timeout: 90_000 },
    async () => {
      const created = await server.call<{ id: string }>('POST', '/api/v1/events', tonightBody('Live Door Night'));
      const eventId = created.json.id;
      const codes = [];
      for (let i = 0; i < 3; i++) {
        const placed = await server.call<{ order_id: string; manage_token: string }>(
          'POST',
          `/api/v1/events/${eventId}/orders`,
          { email: `live${i}@example.com`, name: `Live ${i}`, ga_quantity: 1 },
        );
        codes.push(
          (
            await server.call<{ tickets: Array<{ qr: string }> }>(
              'POST',
              `/api/v1/orders/${placed.json.order_id}/pay-local`,
              undefined,
              placed.json.manage_token,
            )
          ).json.tickets[0]!.qr,
        );
      }
      const page = await ownerPage(`${server.url}/admin/events/${eventId}`);
      await page.waitForSelector('text=Nobody admitted yet.');
      for (const [i, qr] of codes.entries()) {
        await server.call(
          'POST',
          '/api/v1/scans',
          { qr, scanner_id: i < 2 ? 'main-door' : 'side-door', event_id: eventId },
          server.staffToken,
        );
      }
      // Sales are read every 15 s; the door's figures must not wait for that.
      await expect.poll(() => page.textContent('[data-testid="door-admitted"]'), { timeout: 5_000 }).toContain('3 in');
      await expect(page.textContent('[data-testid="by-door"]')).resolves.toMatch(/main-door\s*2.*side-door\s*1/s);
      expect(await page.locator('.admitted-chart rect').count()).toBeGreaterThan(0);
      await screenshot(page, 'admin-door-live');
      expect(appErrors(page)).toEqual([]);
    },
  );
  it(
    "the owner adds a promoter; a buyer who came through the promoter's link buys; the night's page credits the promoter",
    { timeout: 90_000 },
    async () => {
      const created = await server.call<{ id: string }>('POST', '/api/v1/events', futureEventBody('Promo Night'));
      const page = await ownerPage(`${server.url}/admin/promoters`, PHONE);
      await page.waitForSelector('text=No promoters yet.');
      await page.fill('#promoter-name', 'Max Promo');
      await page.fill('#promoter-code', 'MAX');
      await page.click('button:has-text("Add promoter")');
      await page.waitForSelector("text=Max Promo's links end in ?p=max.");
      await screenshot(page, 'admin-promoters');

      // The buyer follows the link to the home page, then goes on to the night and buys there.
      const buyerContext = await browser.newContext({ viewport: PHONE });
      const buyer = await openPage(buyerContext, `${server.url}/?p=MAX`);
      await buyer.goto(`${server.url}/e/${created.json.id}`);
      await buyer.waitForSelector('#buyer-name');
      await buyer.fill('#buyer-name', 'Paula Promoted');
      await buyer.fill('#buyer-email', 'paula@example.com');
      await buyer.click('button[type=submit]');
      await buyer.waitForURL(/\/orders\/[0-9a-f-]+/);
      await buyer.click('text=Pay (test mode)');
      await buyer.waitForSelector('[data-testid="order-status"]:has-text("Paid")');
      await buyerContext.close();

      await page.goto(`${server.url}/admin/events/${created.json.id}`);
      await page.waitForSelector('[data-testid="promoter-figures"]');
      const row = await page.textContent('[data-testid="promoter-figures"] tbody tr');
      expect(row).toContain('Max Promo');
      expect(row).toContain('€20.00');
      await screenshot(page, 'admin-event-promoters');
      expect(appErrors(page)).toEqual([]);
    },
  );
});
