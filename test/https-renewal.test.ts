import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onPostgres } from './support/database.js';
import { accounts, acmeEnv, count, DOMAIN, scratchDir, tlsGet, tonight } from './support/https.js';
import { freePort } from './support/pg-cluster.js';
import { havePebble, startPebble } from './support/pebble.js';
import { runVelvet, stopVelvet } from './support/process.js';

/**
 * Certificates from pebble that live 12 seconds: renewed without a restart while a client keeps
 * its connection, and kept when the authority is unreachable (embedded database).
 */
const root = scratchDir();

describe.skipIf(!havePebble || onPostgres)('renewal, and an unreachable authority (short-lived certificates)', () => {
  it(
    'renews without a restart while a client keeps its connection; with the authority gone, keeps serving the old one and retries with backoff',
    { timeout: 240_000 },
    async () => {
      const ports = { http: await freePort(), https: await freePort() };
      const pebble = await startPebble({ httpPort: ports.http, validitySeconds: 12 });
      const env = await acmeEnv(pebble, ports, { VELVET_DATA_DIR: join(root.path, 'renew') });
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

        // A third of 12 s before expiry, the next certificate: new connections get it, nothing restarts.
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
