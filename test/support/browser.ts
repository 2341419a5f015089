import { startSweeper } from '../../src/services/jobs/sweeper.js';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { signSessionToken } from '../../src/auth/session-tokens.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { buildApp, type App } from '../../src/http/app.js';
import { createDeps } from '../../src/runtime.js';
import { addUser } from '../../src/services/accounts/accounts.service.js';
import type { AppDeps } from '../../src/services/deps.js';
import { ensureWebBuild } from '../../src/web/web-build.js';
import { ENGLISH } from '../../src/i18n/catalogues.js';
import { createMailTransport } from '../../src/mail/transport.js';
import { startMailRunner } from '../../src/services/mail/mail-runner.js';
import { startPushRunner } from '../../src/services/push/push-runner.js';
import { startRefundRunner } from '../../src/services/refunds/refund-runner.js';
import { expect } from 'vitest';
import { describeFindings, seriousA11yProblems } from './axe.js';
import { openTestDatabase } from './database.js';
import { UNLIMITED_ORDERS } from './harness.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Browser tests need Debian's Chromium; CI installs it, so there a missing browser is a failure. */
export const haveChromium = existsSync(CHROMIUM) || process.env.CI === 'true';

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export const STAFF = { email: 'door@browser.test', password: 'door-password-1' };
export const OWNER = { email: 'owner@browser.test', password: 'owner-password-1' };

export interface WebServer {
  url: string;
  app: App;
  deps: AppDeps;
  ownerToken: string;
  staffToken: string;
  /** JSON API call as the owner (or with another bearer), for setting the scene. */
  call<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: T }>;
  close(): Promise<void>;
}

/**
 * The real Velvet: the built web app and the API on a real port, a real database (PGlite in memory,
 * or a scratch PostgreSQL database), the real clock (the door decides offline by the device's
 * clock), and two accounts that log in through the pages like people do.
 */
export async function startWebServer(
  opts: { smtpUrl?: string; env?: Record<string, string> } = {},
): Promise<WebServer> {
  const webRoot = await ensureWebBuild();
  const database = await openTestDatabase({ poolSize: 10 });
  const config = loadConfig({
    VELVET_SWEEP_INTERVAL_MS: '1000',
    ...UNLIMITED_ORDERS,
    ...(opts.smtpUrl ? { SMTP_URL: opts.smtpUrl } : {}),
    ...opts.env,
  });
  const deps = await createDeps(config, { database, clock: systemClock });
  const owner = await addUser(deps, { ...OWNER, role: 'owner' });
  const staff = await addUser(deps, { ...STAFF, role: 'staff' });
  const app = await buildApp(deps, { webRoot });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  // Links in mails point where this server really listens (known only now).
  config.publicUrl = url;
  const mail = opts.smtpUrl ? createMailTransport(config) : null;
  const stopMail = mail
    ? startMailRunner(deps, { transport: mail, timeZone: 'UTC', pollMs: 500, log: () => {} })
    : null;
  // Refunds are paid out as in production (the local provider), so pages can watch them drain.
  const stopRefunds = startRefundRunner(deps, { ratePerSecond: 100, pollMs: 500, log: () => {} });
  // Hosts' arrival notifications go out as in production (to a test push service, where one is given).
  const stopPush = startPushRunner(deps, { pollMs: 500, log: () => {} });
  // Lapsed holds, waitlist offers and ended nights, as in production (every VELVET_SWEEP_INTERVAL_MS).
  const stopSweeper = startSweeper(deps, config.sweepIntervalMs, () => {});
  const token = (sub: string, role: 'owner' | 'staff') =>
    signSessionToken(deps.keys.sessionSecret, { sub, role, exp: Math.floor(Date.now() / 1000) + 3600 });
  const ownerToken = token(owner.id, 'owner');
  return {
    url,
    app,
    deps,
    ownerToken,
    staffToken: token(staff.id, 'staff'),
    async call(method, path, body, bearer = ownerToken) {
      const res = await app.inject({
        method: method as 'GET',
        url: path,
        headers: { authorization: `Bearer ${bearer}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, json: (res.body ? res.json() : undefined) as never };
    },
    close: async () => {
      await app.close();
      await stopMail?.();
      await stopRefunds();
      await stopPush();
      await stopSweeper();
      mail?.close();
      await database.close();
    },
  };
}

export const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BROWSER_ARGS, ...extraArgs] });
}

/** A page that fails the test on any uncaught error in the app. */
export async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A Content-Security-Policy refusal is a broken page even when nothing throws.
  page.on('console', (m) => {
    // So is a message missing from the page's catalogue (src/i18n/translator.ts reports it).
    if (m.type() === 'error' && /Content Security Policy|Refused to|^velvet i18n/i.test(m.text()))
      errors.push(m.text());
  });
  (page as Page & { appErrors: string[] }).appErrors = errors;
  await page.goto(url);
  return page;
}

export const appErrors = (page: Page) => (page as Page & { appErrors?: string[] }).appErrors ?? [];

/**
 * Writes `<name>-phone.png` and `<name>-desktop.png` under test-results/screenshots (git-ignored):
 * the page as it is, then resized to the other size and back, so every state is seen at both.
 * Each state at each size is also checked: a serious or critical accessibility violation
 * (axe-core) or a page wider than the screen fails the test, named with the screenshot.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize() ?? PHONE;
  const phoneFirst = size.width < 700;
  const problems: string[] = [];
  for (const [label, viewport] of phoneFirst
    ? ([
        ['phone', size],
        ['desktop', DESKTOP],
      ] as const)
    : ([
        ['desktop', size],
        ['phone', PHONE],
      ] as const)) {
    if (viewport !== size) await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`) });
    const found = await seriousA11yProblems(page);
    if (found.length) problems.push(`${name}-${label}:\n${describeFindings(found)}`);
    // Nothing wider than the screen: a page that scrolls sideways on a phone looks broken.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    if (overflow > 0) problems.push(`${name}-${label}: the page is ${overflow} px wider than the screen`);
    const keys = await shownMessageKeys(page);
    if (keys.length) problems.push(`${name}-${label}: shows message keys instead of words: ${keys.join(', ')}`);
  }
  await page.setViewportSize(size);
  if (problems.length)
    throw new Error(
      `The page as shown is broken (axe-core's serious or critical findings, overflow):\n${problems.join('\n')}`,
    );
}

/** The catalogue's key families ("door", "error", …): text shaped like `door.result.admitted` is a key shown as is. */
const KEY_FAMILIES = [...new Set(Object.keys(ENGLISH).map((k) => k.split('.')[0]!))];

/** Message keys the page shows (text, labels, placeholders, titles) instead of their words. */
export function shownMessageKeys(page: Page): Promise<string[]> {
  return page.evaluate((families) => {
    // Not part of an e-mail address or a host name (door.two@example.com, door.venue.lan).
    const key = new RegExp(`(?<![\\w@.-])(?:${families.join('|')})(?:\\.[A-Za-z_]+)+(?![\\w@.-])`, 'g');
    const attributes = Array.from(document.querySelectorAll('[aria-label], [placeholder], [title]')).flatMap((e) =>
      ['aria-label', 'placeholder', 'title'].map((a) => e.getAttribute(a) ?? ''),
    );
    return [document.body.innerText, ...attributes].join('\n').match(key) ?? [];
  }, KEY_FAMILIES);
}

export async function logIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.fill('#login-email', who.email);
  await page.fill('#login-password', who.password);
  await page.click('button[type=submit]');
}

/** An event whose door is open right now by the real clock (the pages decide with it). */
export function tonightBody(name = 'Browser Night') {
  const now = Date.now();
  return {
    name,
    starts_at: new Date(now - 3600_000).toISOString(),
    ends_at: new Date(now + 6 * 3600_000).toISOString(),
    currency: 'EUR',
    ga: { price_cents: 2000, capacity: 300 },
    tiers: [
      { name: 'Gold', price_cents: 50000, capacity: 6, min_spend_cents: 100000 },
      { name: 'Silver', price_cents: 20000, capacity: 4 },
    ],
    tables: [
      { number: 1, tier: 'Gold', x: 100, y: 100 },
      { number: 2, tier: 'Gold', x: 260, y: 100 },
      { number: 3, tier: 'Silver', x: 100, y: 240 },
      { number: 4, tier: 'Silver', x: 260, y: 240 },
    ],
  };
}

/** A ticket of a paid order, as the order's answer lists it. */
export interface PaidTicket {
  id: string;
  qr: string;
  holder_name: string;
  is_host: boolean;
}

/** Places an order on `eventId` and pays it in test mode, through the API as a buyer's page does. */
export async function buyPaidOrder(
  server: WebServer,
  eventId: string,
  body: Record<string, unknown>,
): Promise<{ tickets: PaidTicket[]; orderId: string; token: string; reservationId?: string | undefined }> {
  const placed = await server.call<{ order_id: string; manage_token: string }>(
    'POST',
    `/api/v1/events/${eventId}/orders`,
    { email: 'buyer@example.com', ga_quantity: 1, ...body },
  );
  expect(placed.status).toBe(201);
  const paid = await server.call<{ tickets: PaidTicket[]; reservation?: { id: string } }>(
    'POST',
    `/api/v1/orders/${placed.json.order_id}/pay-local`,
    undefined,
    placed.json.manage_token,
  );
  expect(paid.status).toBe(200);
  return {
    tickets: paid.json.tickets,
    orderId: placed.json.order_id,
    token: placed.json.manage_token,
    reservationId: paid.json.reservation?.id,
  };
}
