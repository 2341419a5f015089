import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Fixed per mail (outbox row): a resend after a crash is the same message, not a second one. */
  messageId: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string; cid?: string }>;
}

export interface MailTransport {
  /** Where mails go, for the log and the demo's banner: `smtp://host:port` or the .eml folder. */
  readonly destination: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** An SMTP server that does not answer must not hold a claimed mail past its lease (60 s). */
const SMTP_TIMEOUT_MS = 15_000;

/**
 * `SMTP_URL` set: nodemailer's SMTP transport. Not set: each mail is written whole (headers, HTML,
 * the QR images) as an .eml file any mail client opens, named by its Message-ID so a resend
 * overwrites it instead of adding a copy. Written to a temporary name and renamed, so a file that
 * exists is complete.
 */
export function createMailTransport(config: Pick<Config, 'mail'>): MailTransport {
  const { smtpUrl, from, dir } = config.mail;
  if (smtpUrl) {
    const url = new URL(smtpUrl);
    const transporter = nodemailer.createTransport(
      {
        url: smtpUrl,
        connectionTimeout: SMTP_TIMEOUT_MS,
        greetingTimeout: SMTP_TIMEOUT_MS,
        socketTimeout: SMTP_TIMEOUT_MS,
      },
      { from },
    );
    return {
      destination: `${url.protocol}//${url.host}`,
      async send(mail) {
        await transporter.sendMail(toNodemailer(mail));
      },
      close: () => transporter.close(),
    };
  }
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, { from });
  return {
    destination: dir,
    async send(mail) {
      const info = await transporter.sendMail(toNodemailer(mail));
      await mkdir(dir, { recursive: true });
      const name = mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
      const file = join(dir, `${name}.eml`);
      await writeFile(`${file}.tmp`, info.message as Buffer);
      await rename(`${file}.tmp`, file);
    },
    close: () => transporter.close(),
  };
}

function toNodemailer(mail: OutgoingMail) {
  return {
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    attachments: mail.attachments,
  };
}
