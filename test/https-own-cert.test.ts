import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onPostgres } from './support/database.js';
import { DOMAIN, scratchDir, tlsGet } from './support/https.js';
import { freePort } from './support/pg-cluster.js';
import { runVelvet, stopVelvet } from './support/process.js';

/** HTTPS with the owner's own certificate files (no ACME), reloaded when they change. */
const root = scratchDir();

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
      const dir = join(root.path, 'own');
      execFileSync('mkdir', ['-p', dir]);
      const first = makeCert(dir, 'door.venue.lan', 'one');
      const second = makeCert(dir, 'door.venue.lan', 'two');
      const live = { cert: join(dir, 'live-cert.pem'), key: join(dir, 'live-key.pem') };
      execFileSync('cp', [first.cert, live.cert]);
      execFileSync('cp', [first.key, live.key]);
      const ports = { http: await freePort(), https: await freePort() };
      const env = {
        DATABASE_URL: undefined,
        VELVET_DATA_DIR: join(root.path, 'own-data'),
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
