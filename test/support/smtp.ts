import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  /** `smtp://127.0.0.1:<port>` for SMTP_URL. */
  url: string;
  received: ParsedMail[];
  /** While set, every message is refused with a temporary error (451), as a server under load would. */
  refuse: boolean;
  /** Resolves once `count` messages have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server in this process (smtp-server), keeping every message it accepts, parsed. */
export async function startTestSmtp(): Promise<TestSmtp> {
  const waiters: Array<() => void> = [];
  const state: TestSmtp = {
    url: '',
    received: [],
    refuse: false,
    waitFor: (count, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (state.received.length < count) return false;
          clearTimeout(timer);
          resolve(state.received);
          return true;
        };
        const timer = setTimeout(
          () => reject(new Error(`${state.received.length} of ${count} mails arrived in ${timeoutMs} ms`)),
          timeoutMs,
        );
        if (!check()) waiters.push(() => void check());
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (state.refuse) {
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          return;
        }
        simpleParser(Buffer.concat(chunks), { keepCidLinks: true }).then(
          (mail) => {
            state.received.push(mail);
            callback();
            for (const w of waiters.splice(0)) w();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return state;
}
