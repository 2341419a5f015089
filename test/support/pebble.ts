import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './pg-cluster.js';

/**
 * Pebble, Let's Encrypt's ACME test server (Debian's `pebble`), with `pebble-challtestsrv` as its
 * DNS, which answers 127.0.0.1 for every name: a real certificate authority on this machine,
 * validating HTTP-01 challenges against Velvet's plain-HTTP port for any domain.
 */
export const havePebble =
  process.env.CI === 'true' ||
  (() => {
    // CI installs pebble (.ci/run), so there a missing one fails the tests instead of skipping them.
    try {
      execFileSync('pebble', ['-h'], { stdio: 'ignore' });
    } catch (err) {
      // `-h` exits 2 after printing its usage: it is there.
      return (err as { status?: number }).status === 2;
    }
    return true;
  })();

export interface Pebble {
  /** The ACME directory (HTTPS, with pebble's own certificate: see `caFile`). */
  directoryUrl: string;
  /** Pebble's HTTPS certificate, for the ACME client (NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** The root and intermediate that sign what pebble issues (new at every start). */
  issuers(): Promise<{ root: string; intermediate: string }>;
  stop(): Promise<void>;
  dir: string;
}

export async function startPebble(opts: { httpPort: number; validitySeconds: number }): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'velvet-pebble-'));
  // Pebble's own HTTPS certificate (its API is served over TLS only), for 127.0.0.1 and localhost.
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
      '/CN=pebble',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const [acmePort, managementPort, dnsPort, dnsManagement, tlsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  writeFileSync(
    join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, 'cert.pem'),
        privateKey: join(dir, 'key.pem'),
        httpPort: opts.httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        certificateValidityPeriod: opts.validitySeconds,
      },
    }),
  );
  const children: ChildProcess[] = [];
  const output: string[] = [];
  const run = (cmd: string, args: string[]) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    children.push(child);
  };
  run('pebble-challtestsrv', [
    '-defaultIPv4',
    '127.0.0.1',
    '-defaultIPv6',
    '',
    '-dns01',
    `127.0.0.1:${dnsPort}`,
    '-http01',
    '',
    '-https01',
    '',
    '-tlsalpn01',
    '',
    '-management',
    `127.0.0.1:${dnsManagement}`,
  ]);
  run('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`, '-strict', 'false']);
  const ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const get = (port: number, path: string) => httpsGet(`https://127.0.0.1:${port}${path}`, ca);
  const started = Date.now();
  for (;;) {
    try {
      await get(acmePort, '/dir');
      break;
    } catch (err) {
      if (Date.now() - started > 20_000)
        throw new Error(`pebble did not start: ${(err as Error).message}\n${output.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
    caFile: join(dir, 'cert.pem'),
    dir,
    issuers: async () => ({
      root: await get(managementPort, '/roots/0'),
      intermediate: await get(managementPort, '/intermediates/0'),
    }),
    stop: async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGKILL');
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function httpsGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** What Chromium's `--ignore-certificate-errors-spki-list` takes: base64 SHA-256 of a certificate's public key. */
export function spkiHash(pem: string): string {
  const key = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(key).digest('base64');
}
