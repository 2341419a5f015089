import jsQRModule from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
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
  type WebServer,
} from './support/browser.js';
import { startTestSmtp, type TestSmtp } from './support/smtp.js';

// The buyer's pages, in a real Chromium against a real Velvet that mails through a real SMTP server.

const jsQR = jsQRModule.default;

let server: WebServer;
let smtp: TestSmtp;
let browser: Browser;
let eventId: string;
let tables: Array<{ id: string; number: number }>;

interface OrderJson {
  status: string;
  tickets: Array<{
    id: string;
    qr: string | null;
    holder_name: string;
    is_host: boolean;
    linked_reservation_id: string | null;
  }>;
  reservation?: { id: string; invite_code: string; invite_url: string; guests: Array<{ name: string }> };
}

function futureEvent() {
  const start = Date.now() + 2 * 24 * 3600_000;
  return {
    name: 'Saturday Session',
    starts_at: new Date(start).toISOString(),
    ends_at: new Date(start + 7 * 3600_000).toISOString(),
    currency: 'EUR',
    ga: { price_cents: 2500, capacity: 300 },
    tiers: [
      { name: 'Gold', price_cents: 60000, capacity: 6, min_spend_cents: 100000 },
      { name: 'Silver', price_cents: 30000, capacity: 4 },
    ],
    tables: [
      { number: 1, tier: 'Gold', x: 100, y: 100 },
      { number: 2, tier: 'Gold', x: 260, y: 100 },
      { number: 3, tier: 'Silver', x: 100, y: 240 },
      { number: 4, tier: 'Silver', x: 260, y: 240 },
    ],
  };
}

/** On /e/:id: picks a quantity (and a table), fills the form and lands on the order page. */
async function checkout(
  page: Page,
  who: { name: string; email: string },
  opts: { quantity?: number; table?: number; shot?: string } = {},
) {
  await page.waitForSelector('#buyer-name');
  for (let q = 1; q < (opts.quantity ?? 1); q++) await page.click('button[aria-label="One ticket more"]');
  if (opts.table) {
    const phone = (page.viewportSize()?.width ?? 0) < 700;
    if (phone) {
      // On a phone the tables are a list of buttons a thumb can hit, with text to read.
      const choice = page.locator(`.table-choice[data-table="${opts.table}"]`);
      const box = (await choice.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(
        await choice.evaluate((el) => Number.parseFloat(getComputedStyle(el.querySelector('.tc-tier')!).fontSize)),
      ).toBeGreaterThanOrEqual(14);
      await choice.click();
      await expect.poll(() => choice.getAttribute('aria-pressed')).toBe('true');
    } else {
      await page.click(`g.table[data-table="${opts.table}"]`);
    }
    await page.waitForSelector('[data-testid="table-choice"]');
    // The total says what it is made of.
    const breakdown = (await page.textContent('[data-testid="breakdown"]'))!;
    expect(breakdown).toContain(`${opts.quantity ?? 1} × GA ticket at €25.00`);
    expect(breakdown).toMatch(new RegExp(`Table ${opts.table} \\((Gold|Silver)\\)`));
    // The pick on the plan is filled, not a thin outline.
    await expect
      .poll(() =>
        page.locator(`g.table.selected[data-table="${opts.table}"] .shape`).evaluate((el) => getComputedStyle(el).fill),
      )
      .toBe('rgb(14, 116, 144)');
  }
  await page.fill('#buyer-name', who.name);
  await page.fill('#buyer-email', who.email);
  if (opts.shot) await screenshot(page, opts.shot);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/orders\/[0-9a-f-]+/);
  await page.waitForSelector('text=Pay (test mode)');
}

async function payTestMode(page: Page) {
  await page.click('text=Pay (test mode)');
  await page.waitForSelector('[data-testid="order-status"]:has-text("Paid")');
}

/**
 * The order behind an order page, read through the API with the token the page keeps on the
 * device (the page takes it out of the address bar once it has it).
 */
async function orderOf(page: Page): Promise<OrderJson & { id: string; token: string }> {
  const [, id] = /\/orders\/([0-9a-f-]+)/.exec(page.url())!;
  const token = await page.evaluate(
    (orderId) =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('velvet');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('orders', 'readonly').objectStore('orders').get(orderId);
          get.onsuccess = () => resolve((get.result as { token: string }).token);
        };
      }),
    id!,
  );
  const res = await server.call<OrderJson>('GET', `/api/v1/orders/${id}`, undefined, token);
  return { ...res.json, id: id!, token };
}

/** What a phone camera would read off the page's first QR code. */
async function readQrOnPage(page: Page): Promise<string | null> {
  const png = PNG.sync.read(await page.locator('[data-testid="ticket"] .qr').first().screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

describe.skipIf(!haveChromium)("buyer's pages (Chromium)", () => {
  beforeAll(async () => {
    smtp = await startTestSmtp();
    server = await startWebServer({ smtpUrl: smtp.url });
    const created = await server.call<{ id: string; tables: Array<{ id: string; number: number }> }>(
      'POST',
      '/api/v1/events',
      futureEvent(),
    );
    expect(created.status).toBe(201);
    eventId = created.json.id;
    tables = created.json.tables;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it(
    'a buyer buys a table and pays in test mode; a GA buyer links with the invite; the host sees the guest; the mails arrive with working links',
    { timeout: 180_000 },
    async () => {
      // The host, on a phone.
      const hostContext = await browser.newContext({ viewport: PHONE });
      const host = await openPage(hostContext, `${server.url}/e/${eventId}`);
      await host.waitForSelector('g.table[data-table="1"]');
      await screenshot(host, 'buy-event');
      await checkout(
        host,
        { name: 'Hanna Host', email: 'hanna@example.com' },
        { quantity: 2, table: 1, shot: 'buy-event-table-picked' },
      );
      expect(await host.textContent('[data-testid="countdown"]')).toMatch(/^\d+:\d\d$/);
      await screenshot(host, 'buy-checkout');
      await payTestMode(host);
      await host.waitForSelector('[data-testid="invite-code"]');
      const hostOrder = await orderOf(host);
      expect(hostOrder.status).toBe('paid');
      // The QR on the screen scans to the host's code.
      expect(await readQrOnPage(host)).toBe(hostOrder.tickets.find((t) => t.is_host)!.qr);
      expect(await host.textContent('[data-testid="invite-code"]')).toBe(hostOrder.reservation!.invite_code);
      await screenshot(host, 'order-host');

      // Someone else, elsewhere: buys GA on their own device, then opens the host's invite.
      const guestContext = await browser.newContext({ viewport: DESKTOP });
      const guest = await openPage(guestContext, `${server.url}/e/${eventId}`);
      // The host's table shows as sold there, live.
      await guest.waitForSelector('g.table[data-table="1"][data-status="reserved"]');
      await checkout(guest, { name: 'Gina Guest', email: 'gina@example.com' });
      await payTestMode(guest);
      await screenshot(guest, 'order-ga');
      await guest.goto(new URL(hostOrder.reservation!.invite_url).pathname.replace(/^/, server.url));
      await guest.waitForSelector('text=Hanna invited you to table 1');
      await guest.waitForSelector('button:has-text("Join table 1")');
      await screenshot(guest, 'invite');
      await guest.click('button:has-text("Join table 1")');
      await guest.waitForSelector('[data-testid="link-result"]:has-text("Gina Guest is on the guest list of table 1")');
      await screenshot(guest, 'invite-linked');

      // The host's page shows her: the friend bought with the table, and Gina.
      await host.reload();
      await host.waitForSelector('[data-testid="guest-list"] >> text=Gina Guest');
      await screenshot(host, 'order-host-guests');

      // The mails: one each, with a link that opens the order in any browser.
      await smtp.waitFor(2, 30_000);
      const hostMail = smtp.received.find((m) => m.subject === 'Your table 1 at Saturday Session')!;
      expect(hostMail.text).toContain(hostOrder.reservation!.invite_url);
      const link = /(http:\/\/\S+\/orders\/\S+#token=\S+)/.exec(hostMail.text!)![1]!;
      const fresh = await browser.newContext({ viewport: PHONE });
      const fromMail = await openPage(fresh, link);
      await fromMail.waitForSelector('[data-testid="order-status"]:has-text("Paid")');
      await fromMail.waitForSelector('[data-testid="invite-code"]');
      // Read once, the token leaves the address bar and the history; the page opens again without it.
      await expect.poll(() => fromMail.url()).not.toContain('token=');
      expect(await fromMail.evaluate(() => location.hash)).toBe('');
      await fromMail.reload();
      await fromMail.waitForSelector('[data-testid="order-status"]:has-text("Paid")');
      expect(await fromMail.title()).toBe('Your tickets · Saturday Session · Velvet');
      await fromMail.waitForSelector('[data-testid="install-hint"]');

      // In the basement with no signal: the page reloads from the service worker and the tickets
      // come from this phone, QR codes that still scan.
      await expect
        .poll(() => fromMail.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 15_000 })
        .toBe(true);
      await fresh.setOffline(true);
      await fromMail.reload();
      await fromMail.waitForSelector('[data-testid="offline-copy"]');
      await fromMail.waitForSelector('[data-testid="order-status"]:has-text("Paid")');
      expect(await readQrOnPage(fromMail)).toBe(hostOrder.tickets.find((t) => t.is_host)!.qr);
      await screenshot(fromMail, 'order-offline');
      await fresh.setOffline(false);
      expect(
        smtp.received.some(
          (m) =>
            m.subject === 'Your tickets for Saturday Session' && (m.to as { text: string }).text === 'gina@example.com',
        ),
      ).toBe(true);

      for (const p of [host, guest, fromMail]) expect(appErrors(p)).toEqual([]);
      await Promise.all([hostContext.close(), guestContext.close(), fresh.close()]);
    },
  );

  it(
    'a buyer sends a ticket to a friend, who opens it from their own mail: a new code, the old one gone from the order',
    { timeout: 120_000 },
    async () => {
      const buyerContext = await browser.newContext({ viewport: PHONE });
      const buyer = await openPage(buyerContext, `${server.url}/e/${eventId}`);
      await checkout(buyer, { name: 'Sam Sender', email: 'sam@example.com' }, { quantity: 2 });
      await payTestMode(buyer);
      const second = buyer.locator('[data-testid="ticket"]').nth(1);
      await second.locator('button:has-text("Send to a friend")').click();
      const form = buyer.locator('[data-testid="transfer-form"]');
      await form.locator('input').nth(0).fill('Fay Friend');
      await form.locator('input[type=email]').fill('fay@example.com');
      await screenshot(buyer, 'order-transfer-form');
      await form.locator('button[type=submit]').click();
      await buyer.waitForSelector('[data-testid="ticket"] >> text=Sent to Fay Friend: the code is theirs now');
      await screenshot(buyer, 'order-transferred');
      const order = await orderOf(buyer);
      const sent = order.tickets.find((t) => t.holder_name === 'Fay Friend')!;
      expect(sent).toMatchObject({ qr: null });

      await expect
        .poll(() => smtp.received.some((m) => (m.to as { text: string }).text === 'fay@example.com'), {
          timeout: 30_000,
        })
        .toBe(true);
      const mail = smtp.received.find((m) => (m.to as { text: string }).text === 'fay@example.com')!;
      expect(mail.subject).toBe('Sam Sender sent you a ticket for Saturday Session');
      const link = /(http:\/\/\S+\/tickets\/\S+#token=\S+)/.exec(mail.text!)![1]!;
      // The friend, on their own phone (the screenshot shows the page at both sizes).
      const friendContext = await browser.newContext({ viewport: PHONE });
      const friend = await openPage(friendContext, link.replace(/^http:\/\/[^/]+/, server.url));
      await friend.waitForSelector('[data-testid="ticket"] >> text=Fay Friend');
      await friend.waitForSelector('h1:has-text("Saturday Session")');
      await expect.poll(() => friend.url()).not.toContain('token=');
      const code = await readQrOnPage(friend);
      expect(code).toMatch(/^V2\./);
      expect(code).not.toBe(order.tickets.find((t) => t.holder_name === 'Sam Sender')!.qr);
      await screenshot(friend, 'ticket-page');
      // No wallet is set up on this server: no wallet buttons (test/wallet.browser.test.ts has them).
      expect(await friend.locator('[data-testid="wallet-buttons"]').count()).toBe(0);
      expect(appErrors(friend)).toEqual([]);
      await friendContext.close();
      expect(appErrors(buyer)).toEqual([]);
      await buyerContext.close();
    },
  );

  it(
    'a sold-out night offers its waitlist; a refund frees a place, the first in line is mailed it, held, and buys it; the owner sees the line',
    { timeout: 120_000 },
    async () => {
      const body = { ...futureEvent(), name: 'Tiny Room', ga: { price_cents: 2500, capacity: 1 } };
      const created = await server.call<{ id: string }>('POST', '/api/v1/events', body);
      const tiny = created.json.id;
      const sold = (
        await server.call<{ order_id: string; manage_token: string }>('POST', `/api/v1/events/${tiny}/orders`, {
          email: 'first@example.com',
          name: 'First',
          ga_quantity: 1,
        })
      ).json;
      expect(
        (await server.call('POST', `/api/v1/orders/${sold.order_id}/pay-local`, undefined, sold.manage_token)).status,
      ).toBe(200);

      const context = await browser.newContext({ viewport: PHONE });
      const page = await openPage(context, `${server.url}/e/${tiny}`);
      await page.waitForSelector('[data-testid="waitlist-form"]');
      expect(await page.locator('#buyer-name').count()).toBe(0);
      await page.fill('#wait-name', 'Wendy Waiting');
      await page.fill('#wait-email', 'wendy@example.com');
      await screenshot(page, 'buy-waitlist');
      await page.click('[data-testid="waitlist-form"] button[type=submit]');
      await page.waitForSelector('[data-testid="waitlist-joined"] >> text=You are number 1 in line for 1 ticket');
      await screenshot(page, 'buy-waitlist-joined');

      // The owner refunds the one sold ticket: its place is offered to Wendy, held for her, by mail.
      expect((await server.call('POST', `/api/v1/orders/${sold.order_id}/refund`, { amount_cents: 2500 })).status).toBe(
        202,
      );
      await expect
        .poll(() => smtp.received.some((m) => (m.to as { text: string }).text === 'wendy@example.com'), {
          timeout: 30_000,
        })
        .toBe(true);
      const offer = smtp.received.find((m) => (m.to as { text: string }).text === 'wendy@example.com')!;
      expect(offer.subject).toBe('Places came free: 1 ticket for Tiny Room, held for you');
      const link = /(http:\/\/\S+\/orders\/\S+#token=\S+)/.exec(offer.text!)![1]!;
      await page.goto(link);
      await page.waitForSelector('text=Pay (test mode)');
      await payTestMode(page);
      expect(appErrors(page)).toEqual([]);
      await context.close();

      const ownerContext = await browser.newContext({ viewport: DESKTOP });
      const owner = await openPage(ownerContext, `${server.url}/admin/events/${tiny}`);
      await owner.waitForSelector('#login-email');
      await logIn(owner, OWNER);
      await owner.waitForSelector('[data-testid="waitlist"] >> text=Wendy Waiting');
      await owner.waitForSelector('[data-testid="waitlist"] >> text=Bought');
      await owner.locator('[data-testid="waitlist"]').scrollIntoViewIfNeeded();
      await screenshot(owner, 'admin-waitlist');
      expect(appErrors(owner)).toEqual([]);
      await ownerContext.close();
    },
  );

  it('an unknown event link says so and offers the way home; printing keeps every label readable', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await openPage(context, `${server.url}/e/00000000-0000-4000-8000-000000000000`);
    await page.waitForSelector('text=There is no such event.');
    expect(await page.getAttribute('a.btn:has-text("Tonight and soon")', 'href')).toBe('/');
    expect(await page.title()).toBe('Tickets · Velvet');
    await screenshot(page, 'buy-unknown-event');

    // A paid GA order, printed: the labels are black on white, not light text on white paper.
    const placed = await server.call<{ order_id: string; manage_token: string }>(
      'POST',
      `/api/v1/events/${eventId}/orders`,
      { email: 'print@example.com', name: 'Pia Print', ga_quantity: 2 },
    );
    await server.call('POST', `/api/v1/orders/${placed.json.order_id}/pay-local`, undefined, placed.json.manage_token);
    await page.goto(`${server.url}/orders/${placed.json.order_id}#token=${placed.json.manage_token}`);
    await page.waitForSelector('[data-testid="order-status"]:has-text("Paid")');
    await page.emulateMedia({ media: 'print' });
    for (const selector of ['[data-testid="order-status"]', '[data-testid="ticket"] .pill']) {
      expect(await page.$eval(selector, (el) => getComputedStyle(el).color), selector).toBe('rgb(0, 0, 0)');
    }
    await page.emulateMedia({ media: 'screen' });
    expect(appErrors(page)).toEqual([]);
    await context.close();
  });

  it('the quantity stops at the per-order limit the server sets, and says why', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await openPage(context, `${server.url}/e/${eventId}`);
    await page.waitForSelector('#buyer-name');
    const more = page.locator('button[aria-label="One ticket more"]');
    while (!(await more.isDisabled())) await more.click();
    expect(await page.textContent('[data-testid="quantity"]')).toBe('20'); // VELVET_MAX_TICKETS_PER_ORDER in the tests
    expect(await page.textContent('[data-testid="quantity-limit"]')).toContain('At most 20 tickets per order');
    expect(await page.textContent('[data-testid="breakdown"]')).toContain('20 × GA ticket at €25.00');
    await screenshot(page, 'buy-quantity-limit');
    expect(appErrors(page)).toEqual([]);
    await context.close();
  });

  it('a guest without a ticket follows the invite, buys GA and comes back linked', { timeout: 120_000 }, async () => {
    const table = await server.call<{ order_id: string; manage_token: string }>(
      'POST',
      `/api/v1/events/${eventId}/orders`,
      {
        email: 'sam@example.com',
        name: 'Sam Silver',
        ga_quantity: 1,
        table_id: tables.find((t) => t.number === 3)!.id,
      },
    );
    const paid = await server.call<OrderJson>(
      'POST',
      `/api/v1/orders/${table.json.order_id}/pay-local`,
      undefined,
      table.json.manage_token,
    );
    const context = await browser.newContext({ viewport: PHONE });
    const page = await openPage(context, `${server.url}/i/${paid.json.reservation!.invite_code}`);
    await page.waitForSelector('text=Sam invited you to table 3');
    await page.click('text=Buy a GA ticket');
    await page.waitForSelector('text=invited you to table 3');
    await checkout(page, { name: 'Nico New', email: 'nico@example.com' });
    await payTestMode(page);
    await page.waitForSelector('text=Your ticket is on the guest list of table 3.');
    await screenshot(page, 'order-joined-by-invite');
    const order = await orderOf(page);
    expect(order.tickets[0]!.linked_reservation_id).toBe(paid.json.reservation!.id);
    expect(appErrors(page)).toEqual([]);
    await context.close();
  });
  it(
    'a 21+ night says so, and the buyer confirms their age before the order is placed',
    { timeout: 90_000 },
    async () => {
      const created = await server.call<{ id: string }>('POST', '/api/v1/events', {
        ...futureEvent(),
        name: 'Late Club Night',
        min_age: 21,
        tables: [],
        tiers: [],
      });
      expect(created.status).toBe(201);
      const context = await browser.newContext({ viewport: PHONE });
      const page = await openPage(context, `${server.url}/e/${created.json.id}`);
      await page.waitForSelector('[data-testid="age-limit"]');
      expect(await page.textContent('[data-testid="age-limit"]')).toContain('Only for people 21 or older');
      await page.fill('#buyer-name', 'Ada Adult');
      await page.fill('#buyer-email', 'ada@example.com');
      await screenshot(page, 'buy-age-limit');
      // Not ticked: the browser keeps the form, nothing is ordered.
      await page.click('button[type=submit]');
      expect(await page.$eval('#age-confirmed', (el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
      expect(page.url()).toContain(`/e/${created.json.id}`);
      await page.check('#age-confirmed');
      await page.click('button[type=submit]');
      await page.waitForURL(/\/orders\/[0-9a-f-]+/);
      await page.waitForSelector('text=Pay (test mode)');
      const order = await orderOf(page);
      const view = await server.call<{ age_confirmed_at: string | null }>(
        'GET',
        `/api/v1/orders/${order.id}`,
        undefined,
        order.token,
      );
      expect(view.json.age_confirmed_at).not.toBeNull();
      expect(appErrors(page)).toEqual([]);
      await context.close();
    },
  );
});
