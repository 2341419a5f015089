import http from 'node:http';

export interface HttpReply {
  status: number;
  body: unknown;
}

/**
 * A keep-alive JSON client for the load loops (node:http, no extra package): one socket per
 * concurrent client at most, every request bounded by a timeout, and only ever 127.0.0.1.
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    base: string,
    sockets: number,
    private readonly timeoutMs = 10_000,
  ) {
    this.base = new URL(base);
    if (this.base.hostname !== '127.0.0.1')
      throw new Error(`the bench only talks to 127.0.0.1, not ${this.base.hostname}`);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpReply> {
    // No body means no content-type: Fastify refuses an empty body declared as JSON.
    const payload = body === undefined ? '' : JSON.stringify(body);
    const head: http.OutgoingHttpHeaders = { ...headers, 'content-length': Buffer.byteLength(payload) };
    if (body !== undefined) head['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: head,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // Not JSON: keep the text, the caller reports it.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A GET that keeps the body as bytes on the wire (e.g. still gzipped), with the headers. */
  getRaw(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path,
          method: 'GET',
          agent: this.agent,
          headers,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * Opens `n` keep-alive connections before a measured burst, so that it times answers, not TCP
   * set-up. On this kind of virtual machine 200 connections opened at once to any loopback server,
   * even a ten-line node:http one, are often accepted only ~2.5 s later (BENCHMARKS.md).
   */
  async connect(n: number): Promise<void> {
    // Issued in one tick: no socket is free yet, so the agent opens one per request.
    const replies = await Promise.all(Array.from({ length: n }, () => this.getRaw('/healthz')));
    const failed = replies.find((r) => r.status !== 200);
    if (failed) throw new Error(`opening connections: /healthz answered ${failed.status}`);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The stable error code of a non-2xx answer, for error tallies. */
export function errorLabel(reply: HttpReply): string {
  const code = (reply.body as { error?: { code?: unknown } } | null)?.error?.code;
  return `HTTP ${reply.status}${typeof code === 'string' ? ` ${code}` : ''}`;
}
