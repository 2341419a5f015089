import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appErrors,
  haveChromium,
  launchBrowser,
  openPage,
  PHONE,
  screenshot,
  startWebServer,
  tonightBody,
  type WebServer,
} from './support/browser.js';
import { makeWalletCredentials } from './support/wallet-credentials.js';

// Where the owner set the wallets up, each paid ticket offers them on the order page.

let dir: string;
let server: WebServer;
let browser: Browser;

describe.skipIf(!haveChromium)('wallet buttons (Chromium)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'velvet-wallet-web-'));
    server = await startWebServer({ env: makeWalletCredentials(dir).env });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'a paid ticket offers Apple and Google Wallet: the pass downloads, the Google link opens with the signed JWT',
    { timeout: 90_000 },
    async () => {
      const event = (await server.call<{ id: string }>('POST', '/api/v1/events', tonightBody('Wallet Night'))).json;
      const placed = (
        await server.call<{ order_id: string; manage_token: string }>('POST', `/api/v1/events/${event.id}/orders`, {
          email: 'w@example.com',
          name: 'Wanda Wallet',
          ga_quantity: 1,
        })
      ).json;
      expect(
        (await server.call('POST', `/api/v1/orders/${placed.order_id}/pay-local`, undefined, placed.manage_token))
          .status,
      ).toBe(200);

      const context = await browser.newContext({ viewport: PHONE });
      const page = await openPage(context, `${server.url}/orders/${placed.order_id}#token=${placed.manage_token}`);
      await page.waitForSelector('[data-testid="wallet-buttons"] >> text=Add to Apple Wallet');
      await page.locator('[data-testid="wallet-buttons"]').scrollIntoViewIfNeeded();
      await screenshot(page, 'order-wallet-buttons');
      const href = (await page.getAttribute('a:has-text("Add to Apple Wallet")', 'href'))!;
      const pass = await page.request.get(`${server.url}${href}`);
      expect(pass.status()).toBe(200);
      expect(pass.headers()['content-type']).toBe('application/vnd.apple.pkpass');
      expect((await pass.body()).subarray(0, 2).toString()).toBe('PK');

      // No internet here: Google's page is stood in for; what matters is the link the button opens.
      let opened = '';
      await page.route(
        'https://pay.google.com/**',
        (route) => (
          (opened = route.request().url()),
          route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Google Wallet</title>' })
        ),
      );
      await page.click('button:has-text("Save to Google Wallet")');
      await expect.poll(() => opened).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\/[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(appErrors(page)).toEqual([]);
      await context.close();
    },
  );
});
