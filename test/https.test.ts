import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appErrors, haveChromium, launchBrowser, logIn, openPage, PHONE, screenshot } from './support/browser.js';
import { createScratchDatabase, onPostgres } from './support/database.js';
import { freePort } from './support/pg-cluster.js';
import { havePebble, spkiHash, startPebble, type Pebble } from './support/pebble.js';
import { addAccounts, runVelvet, stopVelvet, type Running } from './support/process.js';

/**
 * HTTPS built in, for real: certificates from pebble (Let's Encrypt's ACME test server) over
 * HTTP-01, served to Node and to Chromium (which trusts pebble's issuer for this browser only),
 * renewed while a client keeps its connection, ordered once by two instances on one PostgreSQL,
 * kept when the authority is unreachable; and the owner's own certificate files, reloaded when
 * they change. The ACME runs use the embedded database except the two-instance one.
 */
const DOMAIN = 'tickets.velvet.test';
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'velvet-https-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Served {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The certificate the server presented (HTTPS), by fingerprint. */
  fingerprint?: string;
}

/** One HTTPS request to 127.0.0.1:port as `servername`, trusting only `ca`. */
function tlsGet(
  port: number,
  path: string,
  ca: string | string[],
  opts: { servername?: string; token?: string; method?: string; body?: unknown; anyCertificate?: boolean } = {},
): Promise<Served> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        ca,
        servername: opts.servername ?? DOMAIN,
        // To see which certificate is served, whatever its state (an expired one included).
        rejectUnauthorized: !opts.anyCertificate,
        agent: false,
        headers: {
          host: `${opts.servername ?? DOMAIN}:${port}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, fingerprint }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function plainGet(port: number, path: string, opts: { host?: string; method?: string } = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host: opts.host ?? DOMAIN } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const tonight = () => {
  const now = Date.now();
  return {
    name: 'HTTPS Night',
    starts_at: new Date(now - 3_600_000).toISOString(),
    ends_at: new Date(now + 5 * 3_600_000).toISOString(),
    currency: 'EUR',
    ga: { price_cents: 0, capacity: 50 },
    tiers: [{ name: 'Gold', price_cents: 0, capacity: 4 }],
    tables: [
      { number: 1, tier: 'Gold', x: 10, y: 10 },
      { number: 2, tier: 'Gold', x: 60, y: 10 },
    ],
  };
};

async function acmeEnv(
  pebble: Pebble,
  ports: { http: number; https: number },
  extra: Record<string, string | undefined> = {},
) {
  return {
    DATABASE_URL: undefined,
    HOST: '127.0.0.1',
    PORT: String(ports.http),
    VELVET_HTTPS_PORT: String(ports.https),
    VELVET_DOMAIN: DOMAIN,
    VELVET_ACME_EMAIL: 'owner@velvet.test',
    VELVET_ACME_DIRECTORY: pebble.directoryUrl,
    // Trusts pebble's API for the ACME client (the certificates it issues are checked by the clients below).
    NODE_EXTRA_CA_CERTS: pebble.caFile,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

const accounts = (env: Record<string, string | undefined>) =>
  addAccounts(env, 'https-password-1', [
    ['owner@https.test', 'owner'],
    ['staff@https.test', 'staff'],
  ]);

const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;

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
      const env = await acmeEnv(pebble, ports, { VELVET_DATA_DIR: join(root, 'door') });
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

describe.skipIf(!havePebble || onPostgres)('renewal, and an unreachable authority (short-lived certificates)', () => {
  it(
    'renews without a restart while a client keeps its connection; with the authority gone, keeps serving the old one and retries with backoff',
    { timeout: 240_000 },
    async () => {
      const ports = { http: await freePort(), https: await freePort() };
      const pebble = await startPebble({ httpPort: ports.http, validitySeconds: 24 });
      const env = await acmeEnv(pebble, ports, { VELVET_DATA_DIR: join(root, 'renew') });
      await accounts(env);
      const server = runVelvet(['serve'], env);
      try {
        await server.waitFor(/serving HTTPS on/, 90_000);
        const { root: rootPem } = await pebble.issuers();
        const first = (await tlsGet(ports.https, '/healthz', rootPem)).fingerprint!;
        const login = JSON.parse(
          (
            await tlsGet(ports.https, '/api/v1/auth/login', rootPem, {
              method: 'POST',
              body: { email: 'owner@https.test', password: 'https-password-1' },
            })
          ).body,
        ).token as string;
        const event = JSON.parse(
          (await tlsGet(ports.https, '/api/v1/events', rootPem, { method: 'POST', token: login, body: tonight() }))
            .body,
        );

        // A buyer's table picker, open over HTTPS across the renewal.
        const messages: string[] = [];
        let closed = false;
        const stream = httpsRequest(
          {
            host: '127.0.0.1',
            port: ports.https,
            path: `/api/v1/events/${event.id}/availability/stream`,
            ca: rootPem,
            servername: DOMAIN,
            agent: false,
          },
          (res) => {
            res.on('data', (d: Buffer) => messages.push(d.toString()));
            res.on('close', () => (closed = true));
          },
        );
        stream.end();
        await expect.poll(() => messages.join('').includes('event: snapshot'), { timeout: 10_000 }).toBe(true);

        // A third of 24 s before expiry, the next certificate: new connections get it, nothing restarts.
        await expect
          .poll(() => count(server.output(), /obtained a certificate/), { timeout: 60_000, interval: 500 })
          .toBe(2);
        await expect
          .poll(async () => (await tlsGet(ports.https, '/healthz', rootPem)).fingerprint, { timeout: 10_000 })
          .not.toBe(first);
        expect(closed).toBe(false);
        const placed = await tlsGet(ports.https, `/api/v1/events/${event.id}/orders`, rootPem, {
          method: 'POST',
          body: { email: 'host@https.test', name: 'Host', ga_quantity: 1, table_id: event.tables[0].id },
        });
        expect(placed.status, placed.body).toBe(201);
        await expect
          .poll(() => messages.join('').includes(`"id":"${event.tables[0].id}"`), { timeout: 10_000 })
          .toBe(true);
        expect(closed).toBe(false);
        stream.destroy();

        // The authority goes away: at the next renewal the certificate in hand stays, failures are
        // logged with what went wrong, and retried later and later.
        const served = (await tlsGet(ports.https, '/healthz', rootPem)).fingerprint;
        await pebble.stop();
        await expect
          .poll(() => count(server.output(), /could not obtain a certificate/), { timeout: 60_000, interval: 500 })
          .toBeGreaterThanOrEqual(2);
        // Short-lived, it may have expired by now: what matters is that it is still the one served.
        expect((await tlsGet(ports.https, '/healthz', rootPem, { anyCertificate: true })).fingerprint).toBe(served);
        const waits = [
          ...server
            .output()
            .matchAll(
              /could not obtain a certificate .*: (.+); still serving the certificate valid until \S+; next try in (\d+) s/g,
            ),
        ];
        expect(waits.length).toBeGreaterThanOrEqual(2);
        expect(waits[0]![1]).toBe('the certificate authority did not answer (unreachable, refused or timed out)');
        expect(Number(waits[1]![2])).toBeGreaterThan(Number(waits[0]![2]));
        expect(server.child.exitCode).toBeNull();
      } finally {
        await stopVelvet(server);
        await pebble.stop();
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

describe.skipIf(onPostgres)("the owner's own certificate files", () => {
  /** A CA of the test's own and a certificate it signs for `name` (openssl). */
  function makeCert(dir: string, name: string, tag: string): { cert: string; key: string; ca: string } {
    const at = (f: string) => join(dir, `${tag}-${f}`);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=Venue CA ${tag}`,
        '-keyout',
        at('ca.key'),
        '-out',
        at('ca.pem'),
      ],
      { stdio: 'ignore' },
    );
    execFileSync(
      'openssl',
      [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        at('key.pem'),
        '-out',
        at('csr.pem'),
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(at('ext.cnf'), `subjectAltName=DNS:${name}\n`);
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        at('csr.pem'),
        '-CA',
        at('ca.pem'),
        '-CAkey',
        at('ca.key'),
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        at('ext.cnf'),
        '-out',
        at('cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { cert: at('cert.pem'), key: at('key.pem'), ca: at('ca.pem') };
  }

  it(
    'serves them, picks up new files without a restart, and refuses bad ones at start naming the setting',
    { timeout: 120_000 },
    async () => {
      const dir = join(root, 'own');
      execFileSync('mkdir', ['-p', dir]);
      const first = makeCert(dir, 'door.venue.lan', 'one');
      const second = makeCert(dir, 'door.venue.lan', 'two');
      const live = { cert: join(dir, 'live-cert.pem'), key: join(dir, 'live-key.pem') };
      execFileSync('cp', [first.cert, live.cert]);
      execFileSync('cp', [first.key, live.key]);
      const ports = { http: await freePort(), https: await freePort() };
      const env = {
        DATABASE_URL: undefined,
        VELVET_DATA_DIR: join(root, 'own-data'),
        HOST: '127.0.0.1',
        PORT: String(ports.http),
        VELVET_HTTPS_PORT: String(ports.https),
        VELVET_TLS_CERT: live.cert,
        VELVET_TLS_KEY: live.key,
        VELVET_METRICS_TOKEN: 'own-cert-metrics-token',
      };
      const server = runVelvet(['serve'], env);
      try {
        await server.waitFor(/serving HTTPS on/, 90_000);
        const ca = [readPem(first.ca), readPem(second.ca)];
        const before = await tlsGet(ports.https, '/healthz', ca, { servername: 'door.venue.lan' });
        expect(before.status).toBe(200);
        expect(before.fingerprint).toBe(new X509Certificate(readPem(first.cert)).fingerprint256);
        // The certificate was made for 2 days: an operator's alert sees it about to run out.
        const metrics = await tlsGet(ports.https, '/metrics', ca, {
          servername: 'door.venue.lan',
          token: 'own-cert-metrics-token',
        });
        const daysLeft = Number(/^velvet_certificate_days_left (\S+)$/m.exec(metrics.body)?.[1]);
        expect(daysLeft).toBeGreaterThan(1.9);
        expect(daysLeft).toBeLessThanOrEqual(2);
        // Renewed in place (as certbot does): new connections get the new one.
        execFileSync('cp', [second.cert, live.cert]);
        execFileSync('cp', [second.key, live.key]);
        await expect
          .poll(async () => (await tlsGet(ports.https, '/healthz', ca, { servername: 'door.venue.lan' })).fingerprint, {
            timeout: 20_000,
            interval: 500,
          })
          .toBe(new X509Certificate(readPem(second.cert)).fingerprint256);
      } finally {
        await stopVelvet(server);
      }
      // A key that is not the certificate's, and a missing file: the process stops, naming the setting.
      const mismatched = runVelvet(['serve'], { ...env, VELVET_TLS_KEY: first.key });
      expect(await mismatched.exited).toBe(1);
      expect(mismatched.output()).toContain('Invalid configuration: VELVET_TLS_KEY');
      expect(mismatched.output()).toContain('does not belong to the certificate');
      const missing = runVelvet(['serve'], { ...env, VELVET_TLS_CERT: join(dir, 'nope.pem') });
      expect(await missing.exited).toBe(1);
      expect(missing.output()).toMatch(/Invalid configuration: VELVET_TLS_CERT: cannot read .*nope\.pem \(ENOENT\)/);
      const noEmail = runVelvet(['serve'], {
        ...env,
        VELVET_TLS_CERT: undefined,
        VELVET_TLS_KEY: undefined,
        VELVET_DOMAIN: DOMAIN,
      });
      expect(await noEmail.exited).toBe(1);
      expect(noEmail.output()).toContain('Invalid configuration: VELVET_ACME_EMAIL');
    },
  );
});

function readPem(file: string): string {
  return execFileSync('cat', [file]).toString();
}
