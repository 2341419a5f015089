import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { ConfigError } from '../config.js';
import type { WalletTicket } from './wallet-ticket.js';

/**
 * "Save to Google Wallet" links: a JWT (RS256, the owner's service-account key) carrying the
 * event's ticket class and the ticket's object, which Google creates when the link is opened. The
 * object's barcode is the ticket's own signed code. Google keeps the first save of an object: a
 * later link for the same ticket (a new code after a transfer) is a new object id, so the holder's
 * wallet gets the new code, not a stale one.
 */
export class GoogleWallet {
  private constructor(
    private readonly issuerId: string,
    private readonly clientEmail: string,
    private readonly key: CryptoKey,
    private readonly organizationName: string,
    private readonly origin: string,
  ) {}

  /** Reads and checks the service-account key now: a missing or wrong file stops the process, naming the setting. */
  static async load(s: { issuerId: string; keyFile: string }, organizationName: string, publicUrl: string): Promise<GoogleWallet> {
    let account: { client_email?: unknown; private_key?: unknown };
    try {
      account = JSON.parse(readFileSync(s.keyFile, 'utf8')) as typeof account;
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError(`Invalid configuration: VELVET_GOOGLE_WALLET_KEY_FILE: cannot read ${s.keyFile} as a service-account key (${why})`);
    }
    if (typeof account.client_email !== 'string' || typeof account.private_key !== 'string') {
      throw new ConfigError(`Invalid configuration: VELVET_GOOGLE_WALLET_KEY_FILE: ${s.keyFile} has no client_email and private_key (download the service account's JSON key)`);
    }
    let key: CryptoKey;
    try {
      key = await importPKCS8(account.private_key, 'RS256');
    } catch (err) {
      throw new ConfigError(`Invalid configuration: VELVET_GOOGLE_WALLET_KEY_FILE: its private_key is not an RSA key (${(err as Error).message})`);
    }
    return new GoogleWallet(s.issuerId, account.client_email, key, organizationName, new URL(publicUrl).origin);
  }

  async saveUrl(t: WalletTicket): Promise<string> {
    const classId = `${this.issuerId}.velvet-event-${t.eventId}`;
    const text = (value: string) => ({ defaultValue: { language: 'en', value } });
    const payload = {
      eventTicketClasses: [
        {
          id: classId,
          issuerName: this.organizationName,
          eventName: text(t.eventName),
          reviewStatus: 'UNDER_REVIEW',
          dateTime: { start: t.startsAt.toISOString(), end: t.endsAt.toISOString() },
          ...(t.venue ? { venue: { name: text(t.venue.split(',')[0]!), address: text(t.venue) } } : {}),
          hexBackgroundColor: t.colours.background,
        },
      ],
      eventTicketObjects: [
        {
          // One object per code: the generation is in the code, so a transferred ticket's new holder saves a new object.
          id: `${this.issuerId}.velvet-ticket-${t.ticketId}-${codeSuffix(t.code)}`,
          classId,
          state: t.valid ? 'ACTIVE' : 'INACTIVE',
          ticketHolderName: t.holderName,
          barcode: { type: 'QR_CODE', value: t.code, alternateText: t.holderName },
          ...(t.table ? { seatInfo: { section: text(`Table ${t.table.number}`), seat: text(t.table.tier) } } : {}),
          hexBackgroundColor: t.colours.background,
        },
      ],
    };
    const jwt = await new SignJWT({ origins: [this.origin], typ: 'savetowallet', payload })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(this.clientEmail)
      .setAudience('google')
      .setIssuedAt()
      .sign(this.key);
    return `https://pay.google.com/gp/v/save/${jwt}`;
  }
}

/** A short, stable name for one code of a ticket (object ids allow letters, digits, '.', '_' and '-'). */
const codeSuffix = (code: string) => code.split('.')[0]!.toLowerCase() + code.slice(-8).replace(/[^A-Za-z0-9_-]/g, '');
