import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { CertificateSource } from '../tls/certificate-source.js';
import type { ServedCertificate } from '../tls/certificate.js';
import { SocketGate } from './socket-gate.js';

/**
 * The sockets Velvet listens on, each behind the connection caps (socket-gate.ts), every request
 * handed to the one Fastify app (`routing`):
 *
 * - without HTTPS: plain HTTP on PORT, the whole app;
 * - with HTTPS (a CertificateSource): HTTPS on VELVET_HTTPS_PORT, and plain HTTP on PORT (80) for
 *   ACME's challenges and a redirect to HTTPS for everything else. Until the first certificate
 *   arrives, plain HTTP serves the whole app (with a loud warning) rather than nothing; the HTTPS
 *   listener opens the moment it arrives. A renewed certificate goes to new connections through
 *   `setSecureContext`: nothing restarts and no open connection is dropped.
 */
export interface Listeners {
  /** Where the app is served now: the HTTPS address once it listens, otherwise plain HTTP's. */
  readonly address: string;
  readonly httpAddress: string;
  readonly httpsAddress: string | null;
  readonly gates: SocketGate[];
  close(): Promise<void>;
}

const CHALLENGE = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/;

export async function startListeners(
  app: FastifyInstance,
  config: Config,
  source: CertificateSource | null,
  log: (msg: string) => void,
): Promise<Listeners> {
  const handle = (req: IncomingMessage, res: ServerResponse) => app.routing(req, res);
  const gates: SocketGate[] = [];
  const limits = { total: config.connections.total, perClient: config.connections.perClient };
  const tls = config.tls.mode === 'off' ? null : config.tls;
  let https: HttpsServer | null = null;
  let httpsAddress: string | null = null;

  const http = createHttpServer((req, res) => {
    if (!source) return handle(req, res);
    const token = CHALLENGE.exec((req.url ?? '').split('?')[0]!)?.[1];
    if (token) return void answerChallenge(source, token, res);
    if (https) return redirect(req, res, tls!.mode === 'acme' ? tls!.domains : [], tls!.httpsPort);
    handle(req, res);
  });
  tune(http);
  gates.push(new SocketGate(http, limits, { plainHttp: true }));
  const httpAddress = await listen(http, config.port, config.host, 'http');

  const openHttps = async (c: ServedCertificate) => {
    https = createHttpsServer({ key: c.key, cert: c.cert, minVersion: 'TLSv1.2' }, handle);
    tune(https);
    gates.push(new SocketGate(https, limits, { plainHttp: false }));
    httpsAddress = await listen(https, tls!.httpsPort, config.host, 'https');
    log(
      `velvet: serving HTTPS on ${httpsAddress} (certificate from ${c.source}, valid until ${c.notAfter.toISOString()}); plain HTTP on ${httpAddress} now redirects`,
    );
  };
  let opening: Promise<void> | undefined;
  if (source) {
    source.onChange((c) => {
      if (https) https.setSecureContext({ key: c.key, cert: c.cert });
      else
        opening ??= openHttps(c).catch((err: Error) =>
          log(`velvet: cannot listen for HTTPS on port ${tls!.httpsPort}: ${err.message}`),
        );
    });
    const first = source.current();
    if (first) await (opening ??= openHttps(first));
    else
      log(
        `velvet: WARNING: no certificate yet for ${tls!.mode === 'acme' ? tls!.domains.join(', ') : 'HTTPS'}: serving plain HTTP on ${httpAddress} until one arrives. Phones at the door need HTTPS for the camera.`,
      );
  }

  return {
    get address() {
      return httpsAddress ?? httpAddress;
    },
    httpAddress,
    get httpsAddress() {
      return httpsAddress;
    },
    gates,
    close: async () => {
      await opening;
      await Promise.all([http, https].filter((s): s is HttpServer | HttpsServer => s !== null).map(drain));
    },
  };
}

/** Fastify's own defaults for its server, which these servers stand in for. */
function tune(server: HttpServer | HttpsServer): void {
  // A request must arrive whole within 30 s (Node allows 5 minutes): a client trickling bytes
  // holds a connection no longer than that. Streams are long answers, not long requests.
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 72_000;
}

function listen(
  server: HttpServer | HttpsServer,
  port: number,
  host: string,
  scheme: 'http' | 'https',
): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve(`${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
    });
  });
}

/**
 * Stops accepting, closes idle connections (in-flight requests finish), and after a few seconds
 * cuts whatever is left: a shutdown is never held up by a client that keeps a connection open.
 */
function drain(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), 10_000);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

async function answerChallenge(source: CertificateSource, token: string, res: ServerResponse): Promise<void> {
  const answer = await source.challenge(token).catch(() => null);
  if (answer === null) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no such challenge');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
}

/**
 * To HTTPS, on a host Velvet has a certificate for (never one a client made up: no open redirect):
 * 301 for GET and HEAD, 308 for the rest (which keeps the method and body).
 */
function redirect(req: IncomingMessage, res: ServerResponse, domains: string[], httpsPort: number): void {
  const asked = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const host =
    domains.length === 0 || domains.includes(asked)
      ? asked || domains[0] || 'localhost'
      : domains[0]!.replace(/^\*\./, '');
  const location = `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${req.url ?? '/'}`;
  res
    .writeHead(req.method === 'GET' || req.method === 'HEAD' ? 301 : 308, { location, 'content-type': 'text/plain' })
    .end(`Velvet is served over HTTPS: ${location}`);
}
