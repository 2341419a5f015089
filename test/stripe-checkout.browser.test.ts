import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { FakeStripe, signedWebhook, stripeEnv } from './support/fake-stripe.js';

// Checkout with the Stripe provider in a real Chromium. The machine has no internet, so Stripe.js
// (js.stripe.com) is served by the test: a stand-in that records what the page gives it and
// mounts a placeholder card form. Everything on Velvet's side is real: the config endpoint, the
// PaymentIntent's client secret from the order, the page's CSP, and the signed webhook that pays.

const FAKE_STRIPE_JS = `
  window.Stripe = function (publishableKey) {
    window.__stripe = { publishableKey: publishableKey, confirmed: false };
    return {
      _registerWrapper: function () {},
      elements: function (options) {
        window.__stripe.clientSecret = options.clientSecret;
        return { create: function () { return { mount: function (el) { el.innerHTML = '<div data-fake-card>4242 4242 4242 4242</div>'; } }; } };
      },
      confirmPayment: function (args) {
        window.__stripe.confirmed = true;
        window.__stripe.redirect = args.redirect;
        return Promise.resolve({});
      },
    };
  };
  window.Stripe.version = 3;
`;

let fake: FakeStripe;
let server: WebServer;
let browser: Browser;
let eventId: string;

async function placeOrder() {
  const placed = await server.call<{
    order_id: string;
    manage_token: string;
    payment: { payment_intent_id: string; client_secret: string };
  }>('POST', `/api/v1/events/${eventId}/orders`, { email: 'card@example.com', name: 'Cara Card', ga_quantity: 1 });
  expect(placed.status).toBe(201);
  return placed.json;
}

describe.skipIf(!haveChromium)('Stripe checkout (Chromium)', () => {
  beforeAll(async () => {
    fake = await FakeStripe.start();
    server = await startWebServer({ env: stripeEnv(fake) });
    const start = Date.now() + 2 * 24 * 3600_000;
    const created = await server.call<{ id: string }>('POST', '/api/v1/events', {
      name: 'Card Night',
      starts_at: new Date(start).toISOString(),
      ends_at: new Date(start + 6 * 3600_000).toISOString(),
      currency: 'EUR',
      ga: { price_cents: 2500, capacity: 100 },
    });
    eventId = created.json.id;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
  });

  it(
    "mounts Stripe's card form for the order's PaymentIntent, and the order page turns paid when Stripe's webhook arrives",
    { timeout: 90_000 },
    async () => {
      const order = await placeOrder();
      const context: BrowserContext = await browser.newContext({ viewport: PHONE });
      await context.route('https://js.stripe.com/**', (route) =>
        route.fulfill({ contentType: 'application/javascript', body: FAKE_STRIPE_JS }),
      );
      const page = await openPage(context, `${server.url}/orders/${order.order_id}#token=${order.manage_token}`);
      await page.waitForSelector('[data-fake-card]');
      expect(await page.evaluate(() => (window as unknown as { __stripe: unknown }).__stripe)).toMatchObject({
        publishableKey: 'pk_test_velvet',
        clientSecret: order.payment.client_secret,
      });
      await page.waitForSelector("text=Use Stripe's test card");
      await screenshot(page, 'checkout-stripe');
      await page.click('button:has-text("Pay now")');
      await page.waitForSelector('text=Payment received; confirming your tickets');
      expect(
        await page.evaluate(
          () => (window as unknown as { __stripe: { confirmed: boolean; redirect: string } }).__stripe,
        ),
      ).toMatchObject({ confirmed: true, redirect: 'if_required' });

      // Stripe tells Velvet: the page sees the order paid without a reload.
      const { payload, headers } = signedWebhook(fake.succeed(order.payment.payment_intent_id), new Date());
      const hook = await server.app.inject({ method: 'POST', url: '/api/v1/webhooks/stripe', headers, payload });
      expect(hook.statusCode, hook.body).toBe(200);
      await page.waitForSelector('[data-testid="order-status"]:has-text("Paid")', { timeout: 15_000 });
      await page.waitForSelector('[data-testid="ticket"] .qr svg');
      expect(appErrors(page)).toEqual([]);
      await context.close();
    },
  );

  it('says so in words when Stripe cannot be reached, and keeps the hold', { timeout: 60_000 }, async () => {
    const order = await placeOrder();
    const context = await browser.newContext({ viewport: PHONE });
    await context.route('https://js.stripe.com/**', (route) => route.abort('internetdisconnected'));
    const page = await openPage(context, `${server.url}/orders/${order.order_id}#token=${order.manage_token}`);
    await page.waitForSelector('text=Card payments could not load');
    expect(await page.textContent('[data-testid="order-status"]')).toBe('Waiting for payment');
    await context.close();
  });
});
