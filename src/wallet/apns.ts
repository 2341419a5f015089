import { connect, constants } from 'node:http2';

export type PushOutcome = 'sent' | 'gone' | { error: string };

/**
 * Apple Push Notification service for Wallet passes: an empty push on the pass type's topic tells
 * a phone to ask Velvet which of its passes changed. Authenticated with the Pass Type ID
 * certificate itself (TLS client certificate), over HTTP/2, one connection per batch.
 */
export class Apns {
  constructor(
    private readonly url: string,
    private readonly tls: { cert: string; key: string; passphrase?: string; ca?: string },
  ) {}

  async pushAll(topic: string, tokens: string[]): Promise<Map<string, PushOutcome>> {
    const out = new Map<string, PushOutcome>();
    if (tokens.length === 0) return out;
    const session = connect(this.url, this.tls);
    const failed = new Promise<never>((_, reject) => session.once('error', reject));
    failed.catch(() => {});
    try {
      await Promise.all(
        tokens.map(async (token) => {
          try {
            out.set(token, await Promise.race([this.pushOne(session, topic, token), failed]));
          } catch (err) {
            out.set(token, { error: (err as Error).message });
          }
        }),
      );
    } finally {
      session.close();
    }
    return out;
  }

  private pushOne(session: ReturnType<typeof connect>, topic: string, token: string): Promise<PushOutcome> {
    return new Promise((resolve, reject) => {
      const req = session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: `/3/device/${encodeURIComponent(token)}`,
        'apns-topic': topic,
        'content-type': 'application/json',
      });
      req.setTimeout(10_000, () => req.close(constants.NGHTTP2_CANCEL));
      let status = 0;
      let body = '';
      req.on('response', (headers) => (status = Number(headers[constants.HTTP2_HEADER_STATUS])));
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () =>
        resolve(
          status === 200
            ? 'sent'
            : status === 410
              ? 'gone'
              : { error: `APNs answered ${status || 'nothing'} ${body}`.trim() },
        ),
      );
      req.on('error', reject);
      req.end('{}');
    });
  }
}
