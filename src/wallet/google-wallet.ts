import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { ConfigError } from '../config.js';
import { LOCALES } from '../i18n/locales.js';
import type { WalletTicket } from './wallet-ticket.js';
import { loadWalletLanguages, walletText, type Translations } from './wallet-words.js';

/**
 * "Save to Google Wallet" links: a JWT (RS256, the owner's service-account key) carrying the
 * event's ticket class and the ticket's object, which Google creates when the link is opened. The
 * object's barcode is the ticket's own signed code. Each code is its own object: a transfer's new
 * holder saves a new one, and the previous holder's is updated (void) through the Wallet API,
 * as is any saved object whose content changes (`updateObject`).
 */
export class GoogleWallet {
  private accessToken: { value: string; until: number } | null = null;

  private constructor(
    private readonly issuerId: string,
    private readonly clientEmail: string,
    private readonly key: CryptoKey,
    private readonly organizationName: string,
    private readonly origin: string,
    private readonly api: { apiUrl: string; tokenUrl: string },
  ) {}

  /** Reads and checks the service-account key now: a missing or wrong file stops the process, naming the setting. */
  static async load(
    s: { issuerId: string; keyFile: string; apiUrl: string; tokenUrl: string },
    organizationName: string,
    publicUrl: string,
  ): Promise<GoogleWallet> {
    await loadWalletLanguages();
    let account: { client_email?: unknown; private_key?: unknown };
    try {
      account = JSON.parse(readFileSync(s.keyFile, 'utf8')) as typeof account;
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError(
        `Invalid configuration: VELVET_GOOGLE_WALLET_KEY_FILE: cannot read ${s.keyFile} as a service-account key (${why})`,
      );
    }
    if (typeof account.client_email !== 'string' || typeof account.private_key !== 'string') {
      throw new ConfigError(
        `Invalid configuration: VELVET_GOOGLE_WALLET_KEY_FILE: ${s.keyFile} has no client_email and private_key (download the service account's JSON key)`,
      );
    }
    let key: CryptoKey;
    try {
      key = await importPKCS8(account.private_key, 'RS256');
    } catch (err) {
      throw new ConfigError(
        `Invalid configuration: VELVET_GOOGLE_WALLET_KEY_FILE: its private_key is not an RSA key (${(err as Error).message})`,
      );
    }
    return new GoogleWallet(s.issuerId, account.client_email, key, organizationName, new URL(publicUrl).origin, {
      apiUrl: s.apiUrl.replace(/\/$/, ''),
      tokenUrl: s.tokenUrl,
    });
  }

  /** The object a ticket's code is saved as (one per code: see the class comment). */
  objectId(t: Pick<WalletTicket, 'ticketId' | 'code'>): string {
    return `${this.issuerId}.velvet-ticket-${t.ticketId}-${codeSuffix(t.code)}`;
  }

  /**
   * Brings a saved object up to date (PATCH through the Wallet API, with an OAuth access token
   * made from the service-account key, kept until shortly before it expires). `absent`: the link
   * was never opened, so there is no object to update.
   */
  async updateObject(t: WalletTicket): Promise<'updated' | 'absent' | { error: string }> {
    try {
      const res = await fetch(`${this.api.apiUrl}/eventTicketObject/${encodeURIComponent(this.objectId(t))}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json' },
        body: JSON.stringify(this.object(t, `${this.issuerId}.velvet-event-${t.eventId}`)),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 404) return 'absent';
      if (!res.ok) return { error: `Google Wallet answered ${res.status} ${(await res.text()).slice(0, 200)}` };
      return 'updated';
    } catch (err) {
      return { error: `Google Wallet could not be reached: ${(err as Error).message}` };
    }
  }

  private async token(): Promise<string> {
    if (this.accessToken && this.accessToken.until > Date.now()) return this.accessToken.value;
    const assertion = await new SignJWT({ scope: 'https://www.googleapis.com/auth/wallet_object.issuer' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(this.clientEmail)
      .setAudience(this.api.tokenUrl)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(this.key);
    const res = await fetch(this.api.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`the OAuth token endpoint answered ${res.status}`);
    const body = (await res.json()) as { access_token: string; expires_in?: number };
    this.accessToken = { value: body.access_token, until: Date.now() + ((body.expires_in ?? 3600) - 60) * 1000 };
    return body.access_token;
  }

  private object(t: WalletTicket, classId: string) {
    return {
      id: this.objectId(t),
      classId,
      state: t.valid ? 'ACTIVE' : 'INACTIVE',
      ticketHolderName: t.holderName,
      barcode: { type: 'QR_CODE', value: t.code, alternateText: t.holderName },
      ...(t.table
        ? {
            seatInfo: {
              section: localized(walletText('wallet.tableN', { table: t.table.number })),
              seat: text(t.table.tier),
            },
          }
        : {}),
      hexBackgroundColor: t.colours.background,
    };
  }

  async saveUrl(t: WalletTicket): Promise<string> {
    const classId = `${this.issuerId}.velvet-event-${t.eventId}`;
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
      eventTicketObjects: [this.object(t, classId)],
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

/** Words as they are (a name, a tier), the same in every language. */
const text = (value: string) => ({ defaultValue: { language: 'en', value } });

/** Words in every language Velvet speaks: Google Wallet shows the phone's, English where it has none. */
const localized = (words: Translations) => ({
  defaultValue: { language: 'en', value: words.en },
  translatedValues: LOCALES.filter((l) => l !== 'en').map((language) => ({ language, value: words[language] })),
});
