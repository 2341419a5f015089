import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';

export interface ApnsPush {
  token: string;
  topic: string;
  body: string;
  /** SHA-256 fingerprint of the TLS client certificate the pusher presented. */
  clientCert: string | null;
}

/**
 * A stand-in for Apple's APNs: HTTP/2 over TLS (a certificate made here for localhost; `caFile`
 * to trust it), asking for a client certificate as APNs does, recording every push; tokens in
 * `gone` answer 410 Unregistered, as APNs does for a phone that dropped the pass.
 */
export async function startFakeApns(dir: string) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'apns.key',
      '-out',
      'apns.pem',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { cwd: dir, stdio: 'pipe' },
  );
  const pushes: ApnsPush[] = [];
  const gone = new Set<string>();
  const server = createSecureServer({
    key: readFileSync(join(dir, 'apns.key')),
    cert: readFileSync(join(dir, 'apns.pem')),
    requestCert: true,
    rejectUnauthorized: false,
  });
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    let body = '';
    stream.on('data', (d: Buffer) => (body += d.toString()));
    stream.on('end', () => {
      const token = decodeURIComponent(String(headers[':path']).replace('/3/device/', ''));
      const peer = (stream.session?.socket as TLSSocket | undefined)?.getPeerCertificate(false);
      pushes.push({
        token,
        topic: String(headers['apns-topic']),
        body,
        clientCert: peer?.raw ? new X509Certificate(peer.raw).fingerprint256 : null,
      });
      stream.respond({ ':status': gone.has(token) ? 410 : 200 });
      stream.end(gone.has(token) ? JSON.stringify({ reason: 'Unregistered' }) : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    caFile: join(dir, 'apns.pem'),
    pushes,
    gone,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
