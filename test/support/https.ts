import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll } from 'vitest';
import type { Pebble } from './pebble.js';
import { addAccounts } from './process.js';

/** What the HTTPS tests share: the domain pebble validates, plain and TLS requests, the env of an ACME instance. */
export const DOMAIN = 'tickets.velvet.test';

/** A directory for the file's data directories and certificates, removed after it. */
export function scratchDir(): { path: string } {
  const dir = { path: '' };
  beforeAll(() => {
    dir.path = mkdtempSync(join(tmpdir(), 'velvet-https-'));
  });
  afterAll(() => rmSync(dir.path, { recursive: true, force: true }));
  return dir;
}

export interface Served {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The certificate the server presented (HTTPS), by fingerprint. */
  fingerprint?: string;
}

/** One HTTPS request to 127.0.0.1:port as `servername`, trusting only `ca`. */
export function tlsGet(
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

export function plainGet(port: number, path: string, opts: { host?: string; method?: string } = {}): Promise<Served> {
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

export const tonight = () => {
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

export async function acmeEnv(
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

/** The owner and a door account every HTTPS test logs in with (password https-password-1). */
export const accounts = (env: Record<string, string | undefined>) =>
  addAccounts(env, 'https-password-1', [
    ['owner@https.test', 'owner'],
    ['staff@https.test', 'staff'],
  ]);

/** How many times `pattern` occurs in a server's output. */
export const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
