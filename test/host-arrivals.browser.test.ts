import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import {
  appErrors,
  haveChromium,
  launchBrowser,
  openPage,
  PHONE,
  screenshot,
  startWebServer,
  type WebServer,
} from './support/browser.js';
import { startTestPushService, type SubscriptionJson, type TestPushService } from './support/push-service.js';

// The VIP host's night on the order page, in a real Chromium against a real Velvet whose push
// worker sends to a real (local) Web Push service.

let server: WebServer;
let push: TestPushService;
let browser: Browser;

interface Order {
  order_id: string;
  manage_token: string;
}

beforeAll(async () => {
  if (!haveChromium) return;
  push = await startTestPushService();
  server = await startWebServer({ env: { VELVET_PUSH_ALLOW_HTTP: '1' } });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await push?.close();
});

/** Tonight: the door opened half an hour ago. */
async function tonight() {
  const start = Date.now() - 30 * 60_000;
  const res = await server.call<{ id: string; tables: Array<{ id: string }> }>('POST', '/api/v1/events', {
    name: 'Saturday Session',
    starts_at: new Date(start).toISOString(),
    ends_at: new Date(start + 7 * 3600_000).toISOString(),
    currency: 'EUR',
    ga: { price_cents: 2500, capacity: 300 },
    tiers: [{ name: 'Gold', price_cents: 60000, capacity: 6 }],
    tables: [{ number: 2, tier: 'Gold', x: 100, y: 100 }],
  });
  expect(res.status).toBe(201);
  return res.json;
}

async function buy(
  eventId: string,
  name: string,
  tableId?: string,
): Promise<Order & { tickets: Array<{ id: string; qr: string }>; reservation?: { id: string } }> {
  const placed = await server.app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/orders`,
    payload: {
      email: `${name.split(' ')[0]!.toLowerCase()}@guests.test`,
      name,
      ga_quantity: 1,
      ...(tableId ? { table_id: tableId } : {}),
    },
  });
  expect(placed.statusCode, placed.body).toBe(201);
  const order = placed.json() as Order;
  const paid = await server.call<{ tickets: Array<{ id: string; qr: string }>; reservation?: { id: string } }>(
    'POST',
    `/api/v1/orders/${order.order_id}/pay-local`,
    undefined,
    order.manage_token,
  );
  expect(paid.status).toBe(200);
  return { ...order, ...paid.json };
}

/**
 * Chromium reaches its push service (Google's FCM) over the internet, which tests do not have:
 * `pushManager.subscribe` is answered by the local push service instead, exactly as FCM would
 * answer (an endpoint and the browser's keys for the server's VAPID key). Everything after that is
 * real: the page sends the subscription to Velvet, Velvet's worker encrypts and signs, the push
 * service checks and decrypts, and the payload is delivered to the page's own service worker.
 */
async function withLocalPushService(page: Page): Promise<void> {
  await page.exposeFunction('velvetTestSubscribe', (key: string) => push.subscribe(key));
  await page.addInitScript(() => {
    let current: (SubscriptionJson & { toJSON(): SubscriptionJson; unsubscribe(): Promise<boolean> }) | null = null;
    const toKey = (k: BufferSource) =>
      btoa(String.fromCharCode(...new Uint8Array(k as ArrayBuffer)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
      const json = await (
        window as unknown as { velvetTestSubscribe(k: string): Promise<SubscriptionJson> }
      ).velvetTestSubscribe(toKey(options!.applicationServerKey as BufferSource));
      current = { ...json, toJSON: () => json, unsubscribe: async () => ((current = null), true) };
      return current as unknown as PushSubscription;
    };
    PushManager.prototype.getSubscription = async () => current as unknown as PushSubscription;
  });
}

describe.skipIf(!haveChromium)("the host's night on the order page (Chromium)", () => {
  it(
    'the host turns on arrival alerts; a guest let in at the door shows as arrived live and the notification reaches the phone',
    { timeout: 120_000 },
    async () => {
      const event = await tonight();
      const host = await buy(event.id, 'Hannah Host', event.tables[0]!.id);
      const gina = await buy(event.id, 'Gina Guest');
      const gus = await buy(event.id, 'Gus Guest');
      for (const g of [gina, gus])
        expect(
          (
            await server.call(
              'POST',
              `/api/v1/reservations/${host.reservation!.id}/guests`,
              { ticket_id: g.tickets[0]!.id },
              server.staffToken,
            )
          ).status,
        ).toBe(200);

      const context = await browser.newContext({ viewport: PHONE });
      await context.grantPermissions(['notifications'], { origin: server.url });
      const page = await context.newPage();
      await withLocalPushService(page);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/orders/${host.order_id}#token=${host.manage_token}`);
      await page.waitForSelector('[data-testid="arrival-alerts"]');
      await page.evaluate(() => navigator.serviceWorker.ready);
      await page.click('text=Tell me when my guests arrive');
      await page.waitForSelector('text=On: this phone will be told as each guest arrives.');
      await expect.poll(() => page.getAttribute('[data-testid="arrival-alerts"] button', 'aria-pressed')).toBe('true');
      await screenshot(page, 'order-host-alerts-on');

      // Gina is let in at the door: the list says so without a reload, and the push goes out.
      const before = push.received.length;
      const scanned = await server.call<{ result: string }>(
        'POST',
        '/api/v1/scans',
        { qr: gina.tickets[0]!.qr, scanner_id: 'door-1', event_id: event.id },
        server.staffToken,
      );
      expect(scanned.json.result).toBe('admitted');
      await page.waitForSelector('[data-testid="guest-list"] li:has-text("Gina Guest") .pill.ok');
      await expect.poll(() => page.textContent('[data-testid="arrived-count"]')).toContain('1 arrived');
      const [delivered] = (await push.waitFor(before + 1)).slice(before);
      expect(delivered!.payload).toMatchObject({
        title: 'Gina Guest is in',
        body: 'Gina Guest is in — 1 of 2 at Table 2 · Saturday Session',
      });

      // The decrypted message, handed to the page's service worker as the browser would: it shows
      // the notification (one per arrival: delivered twice, still one).
      const cdp = await context.newCDPSession(page);
      const registration = new Promise<string>((resolve) =>
        cdp.on(
          'ServiceWorker.workerRegistrationUpdated',
          ({
            registrations,
          }: {
            registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }>;
          }) => {
            const mine = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(server.url));
            if (mine) resolve(mine.registrationId);
          },
        ),
      );
      await cdp.send('ServiceWorker.enable');
      const registrationId = await registration;
      for (let i = 0; i < 2; i++)
        await cdp.send('ServiceWorker.deliverPushMessage', {
          origin: server.url,
          registrationId,
          data: JSON.stringify(delivered!.payload),
        });
      const shown = () =>
        page.evaluate(async () =>
          (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
            title: n.title,
            body: n.body,
            url: (n.data as { url: string }).url,
          })),
        );
      await expect.poll(shown).toEqual([
        {
          title: 'Gina Guest is in',
          body: 'Gina Guest is in — 1 of 2 at Table 2 · Saturday Session',
          url: `/orders/${host.order_id}`,
        },
      ]);
      await screenshot(page, 'order-host-guest-arrived');

      // Turned off: the next arrival goes to nobody.
      await page.click('text=Stop telling me');
      await page.waitForSelector('text=This phone will no longer be told when guests arrive.');
      await server.call(
        'POST',
        '/api/v1/scans',
        { qr: gus.tickets[0]!.qr, scanner_id: 'door-1', event_id: event.id },
        server.staffToken,
      );
      await page.waitForSelector('[data-testid="guest-list"] li:has-text("Gus Guest") .pill.ok');
      const [queued] = await queryRows<{ n: number }>(
        server.deps.database.db,
        sql`SELECT count(*)::int AS n FROM pushes WHERE ticket_id = ${gus.tickets[0]!.id}`,
      );
      expect(queued!.n).toBe(0);
      expect([...errors, ...appErrors(page)]).toEqual([]);
      await context.close();
    },
  );

  it(
    'where the browser cannot show notifications, the host reads why and what to do instead',
    { timeout: 60_000 },
    async () => {
      const event = await tonight();
      const host = await buy(event.id, 'Henry Host', event.tables[0]!.id);
      const context = await browser.newContext({ viewport: PHONE });
      await context.addInitScript(() => {
        delete (window as { PushManager?: unknown }).PushManager;
      });
      const page = await openPage(context, `${server.url}/orders/${host.order_id}#token=${host.manage_token}`);
      await page.waitForSelector('text=This browser cannot show notifications. Keep this page open');
      await screenshot(page, 'order-host-alerts-unsupported');
      expect(appErrors(page)).toEqual([]);
      await context.close();
    },
  );
});
