import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importSPKI, jwtVerify } from 'jose';

/**
 * A stand-in for Google's OAuth token endpoint and Wallet API: the token endpoint checks the
 * service account's signed assertion with its public half; PATCH of an event-ticket object
 * answers 404 unless the test marked it saved (as a holder opening the save link does), and
 * records what it was patched to.
 */
export async function startFakeGoogleWallet(publicKeyPem: string) {
  const key = await importSPKI(publicKeyPem, 'RS256');
  const saved = new Set<string>();
  const patches: Array<{ objectId: string; body: Record<string, unknown> }> = [];
  let tokensIssued = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url!, 'http://x');
        if (req.method === 'POST' && url.pathname === '/token') {
          const form = new URLSearchParams(body);
          const ok =
            form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
            (await jwtVerify(form.get('assertion') ?? '', key).then(
              () => true,
              () => false,
            ));
          tokensIssued += ok ? 1 : 0;
          res
            .writeHead(ok ? 200 : 400, { 'content-type': 'application/json' })
            .end(
              JSON.stringify(ok ? { access_token: 'fake-access-token', expires_in: 3600 } : { error: 'invalid_grant' }),
            );
          return;
        }
        const m = /^\/walletobjects\/v1\/eventTicketObject\/(.+)$/.exec(url.pathname);
        if (req.method === 'PATCH' && m && req.headers.authorization === 'Bearer fake-access-token') {
          const objectId = decodeURIComponent(m[1]!);
          if (!saved.has(objectId)) return void res.writeHead(404).end('{"error":{"code":404}}');
          patches.push({ objectId, body: JSON.parse(body) as Record<string, unknown> });
          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
          return;
        }
        res.writeHead(401).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env: { VELVET_GOOGLE_WALLET_API_URL: `${base}/walletobjects/v1`, VELVET_GOOGLE_OAUTH_TOKEN_URL: `${base}/token` },
    saved,
    patches,
    tokensIssued: () => tokensIssued,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
