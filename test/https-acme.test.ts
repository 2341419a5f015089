import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { appErrors, haveChromium, launchBrowser, logIn, openPage, PHONE, screenshot } from './support/browser.js';
import { createScratchDatabase, onPostgres } from './support/database.js';
import { accounts, acmeEnv, count, DOMAIN, plainGet, scratchDir, tlsGet, tonight } from './support/https.js';
import { freePort } from './support/pg-cluster.js';
import { havePebble, spkiHash, startPebble, type Pebble } from './support/pebble.js';
import { runVelvet, stopVelvet, type Running } from './support/process.js';

/**
 * HTTPS built in, for real: certificates from pebble (Let's Encrypt's ACME test server) over
 * HTTP-01, served to Node and to Chromium (which trusts pebble's issuer for this browser only), and
 * ordered once by two instances on one PostgreSQL. Renewal is in https-renewal.test.ts, the
 * owner's own certificate files in https-own-cert.test.ts (apart, so they run beside each other).
 */
const root = scratchDir();

describe.skipIf(!havePebble || onPostgres)('HTTPS from ACME (pebble), embedded database', () => {
  let pebble: Pebble;
  let server: Running | undefined;
  const ports = { http: 0, https: 0 };
  beforeAll(async () => {
    ports.http = await freePort();
    ports.https = await freePort();
    pebble = await startPebble({ httpPort: ports.http, validitySeconds: 3600 });
  }, 60_000);
  afterAll(async () => {
    await stopVelvet(server);
    await pebble?.stop();
  });

  it(
    'obtains a certificate, redirects plain HTTP (not the challenge path), sends HSTS over HTTPS only, and the door scans a ticket through it in Chromium',
    { timeout: 180_000 },
    async () => {
      const env = await acmeEnv(pebble, ports, { VELVET_DATA_DIR: join(root.path, 'door') });
      await accounts(env);
      server = runVelvet(['serve'], env);
      await server.waitFor(/serving HTTPS on https:\/\/\S+/, 90_000);
      expect(count(server.output(), /obtained a certificate for tickets\.velvet\.test/)).toBe(1);
      const { root: rootPem, intermediate } = await pebble.issuers();

      const health = await tlsGet(ports.https, '/healthz', rootPem);
      expect(health.status).toBe(200);
      expect(health.headers['strict-transport-security']).toBe('max-age=31536000');
      const redirected = await plainGet(ports.http, '/door?x=1');
      expect(redirected.status).toBe(301);
      expect(redirected.headers.location).toBe(`https://${DOMAIN}:${ports.https}/door?x=1`);
      expect(redirected.headers['strict-transport-security']).toBeUndefined();
      expect((await plainGet(ports.http, '/api/v1/scans', { method: 'POST' })).status).toBe(308);
      expect((await plainGet(ports.http, '/door', { host: 'evil.example' })).headers.location).toBe(
        `https://${DOMAIN}:${ports.https}/door`,
      );
      expect((await plainGet(ports.http, '/.well-known/acme-challenge/not-ours')).status).toBe(404);

      const login = async (email: string) =>
        JSON.parse(
          (
            await tlsGet(ports.https, '/api/v1/auth/login', rootPem, {
              method: 'POST',
              body: { email, password: 'https-password-1' },
            })
          ).body,
        ).token as string;
      const owner = await login('owner@https.test');
      const event = JSON.parse(
        (await tlsGet(ports.https, '/api/v1/events', rootPem, { method: 'POST', token: owner, body: tonight() })).body,
      );
      const placed = JSON.parse(
        (
          await tlsGet(ports.https, `/api/v1/events/${event.id}/orders`, rootPem, {
            method: 'POST',
            body: { email: 'gina@https.test', name: 'Gina Secure', ga_quantity: 1 },
          })
        ).body,
      );
      const ticket = JSON.parse(
        (await tlsGet(ports.https, `/api/v1/orders/${placed.order_id}`, rootPem, { token: placed.manage_token })).body,
      ).tickets[0];

      if (!haveChromium) return;
      const browser = await launchBrowser([
        `--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`,
        `--ignore-certificate-errors-spki-list=${spkiHash(intermediate)}`,
      ]);
      try {
        const context = await browser.newContext({ viewport: PHONE });
        const door = await openPage(context, `https://${DOMAIN}:${ports.https}/door`);
        // A secure page: the camera, WebCrypto and offline storage are the browser's to give.
        expect(
          await door.evaluate(() => window.isSecureContext && typeof crypto.subtle?.importKey === 'function'),
        ).toBe(true);
        await door.waitForSelector('#login-email');
        await logIn(door, { email: 'staff@https.test', password: 'https-password-1' });
        await door.waitForSelector('#scanner-id');
        await door.fill('#scanner-id', 'door-tls');
        await door.click(`input[name=event][value="${event.id}"]`);
        await door.click('button[type=submit]');
        await door.waitForSelector('#door-input');
        await door.fill('#door-input', ticket.qr);
        await door.press('#door-input', 'Enter');
        await expect
          .poll(async () => door.locator('[data-testid=last-result]').getAttribute('data-result'), { timeout: 15_000 })
          .toBe('admitted');
        await screenshot(door, 'door-https');
        expect(appErrors(door)).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});

describe.skipIf(!havePebble || !onPostgres)('two instances on one PostgreSQL', () => {
  it('order one certificate between them, and both serve it', { timeout: 180_000 }, async () => {
    const scratch = await createScratchDatabase();
    const a = { http: await freePort(), https: await freePort() };
    const b = { http: await freePort(), https: await freePort() };
    // The authority validates on A's plain-HTTP port, whichever instance orders: B's challenge is
    // answered by A from the database.
    const pebble = await startPebble({ httpPort: a.http, validitySeconds: 3600 });
    const servers: Running[] = [];
    try {
      const migrate = runVelvet(['migrate'], { DATABASE_URL: scratch.url });
      expect(await migrate.exited).toBe(0);
      for (const ports of [a, b])
        servers.push(runVelvet(['serve'], await acmeEnv(pebble, ports, { DATABASE_URL: scratch.url })));
      await Promise.all(servers.map((s) => s.waitFor(/serving HTTPS on/, 90_000)));
      const { root: rootPem } = await pebble.issuers();
      const ordered = servers.reduce((n, s) => n + count(s.output(), /obtained a certificate/), 0);
      expect(ordered).toBe(1);
      const [fa, fb] = [
        (await tlsGet(a.https, '/healthz', rootPem)).fingerprint,
        (await tlsGet(b.https, '/healthz', rootPem)).fingerprint,
      ];
      expect(fa).toBe(fb);
      // A challenge one instance put in the database is answered by the other, on plain HTTP.
      const db = new pg.Client({ connectionString: scratch.url });
      await db.connect();
      await db.query(
        "INSERT INTO acme_challenges (token, key_authorization) VALUES ('tok-from-b', 'tok-from-b.thumbprint')",
      );
      await db.end();
      for (const ports of [a, b]) {
        const answer = await plainGet(ports.http, '/.well-known/acme-challenge/tok-from-b');
        expect([answer.status, answer.body]).toEqual([200, 'tok-from-b.thumbprint']);
      }
    } finally {
      await Promise.all(servers.map(stopVelvet));
      await pebble.stop();
      await scratch.drop();
    }
  });
});
