import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { PKPass } from 'passkit-generator';
import sharp from 'sharp';
import { ConfigError, type Config } from '../config.js';
import { Apns } from './apns.js';
import type { WalletTicket } from './wallet-ticket.js';
import { passSerial } from './pass-serial.js';
import { loadWalletLanguages, ticketKind, walletText, type Translations } from './wallet-words.js';
import { LOCALES } from '../i18n/locales.js';

/** The Apple settings of config.ts, with the issuer's name every pass shows. */
export type AppleWalletSettings = NonNullable<Config['wallet']['apple']> & { organizationName: string };

/**
 * Builds Apple Wallet passes (`.pkpass`) with passkit-generator: a `pass.json` of style
 * `eventTicket`, the icons, a manifest of their SHA-1s and its PKCS #7 signature made with the
 * owner's Pass Type ID certificate, Apple's WWDR certificate in the chain. The barcode is the
 * ticket's own signed code: the pass is a second way to carry it, the door checks the code.
 */
export class ApplePasses {
  /** Pushes to phones holding these passes (the same certificate authenticates to APNs). */
  readonly apns: Apns;

  private constructor(
    private readonly settings: AppleWalletSettings,
    private readonly certificates: {
      signerCert: string;
      signerKey: string;
      signerKeyPassphrase?: string;
      wwdr: string;
    },
    private readonly icons: Record<string, Buffer>,
    apnsCa: string | undefined,
  ) {
    this.apns = new Apns(settings.apnsUrl, {
      cert: certificates.signerCert,
      key: certificates.signerKey,
      ...(certificates.signerKeyPassphrase ? { passphrase: certificates.signerKeyPassphrase } : {}),
      ...(apnsCa ? { ca: apnsCa } : {}),
    });
  }

  get passTypeId(): string {
    return this.settings.passTypeId;
  }

  /** Reads and checks the files now: a missing or wrong one stops the process, naming its setting. */
  static async load(s: AppleWalletSettings, iconFile: string): Promise<ApplePasses> {
    await loadWalletLanguages();
    const signerCert = readSetting('VELVET_APPLE_PASS_CERT', s.certFile);
    const signerKey = readSetting('VELVET_APPLE_PASS_KEY', s.keyFile);
    const wwdr = readSetting('VELVET_APPLE_WWDR_CERT', s.wwdrFile);
    const cert = parse('VELVET_APPLE_PASS_CERT', s.certFile, () => new X509Certificate(signerCert));
    parse('VELVET_APPLE_WWDR_CERT', s.wwdrFile, () => new X509Certificate(wwdr));
    const key = parse('VELVET_APPLE_PASS_KEY', s.keyFile, () =>
      createPrivateKey({ key: signerKey, ...(s.keyPassphrase ? { passphrase: s.keyPassphrase } : {}) }),
    );
    if (!cert.checkPrivateKey(key))
      throw new ConfigError(
        `Invalid configuration: VELVET_APPLE_PASS_KEY: ${s.keyFile} is not the key of the certificate in ${s.certFile}`,
      );
    const icon = readFileSync(iconFile);
    const icons: Record<string, Buffer> = {};
    for (const [name, size] of [
      ['icon.png', 29],
      ['icon@2x.png', 58],
      ['icon@3x.png', 87],
    ] as const)
      icons[name] = await sharp(icon).resize(size, size).png().toBuffer();
    const apnsCa = s.apnsCaFile ? readSetting('VELVET_APNS_CA_FILE', s.apnsCaFile) : undefined;
    return new ApplePasses(
      s,
      { signerCert, signerKey, wwdr, ...(s.keyPassphrase ? { signerKeyPassphrase: s.keyPassphrase } : {}) },
      icons,
      apnsCa,
    );
  }

  /**
   * The ticket's pass, signed. Its serial is the ticket and its code generation (`passSerial`): a
   * pass fetched again replaces the one on the phone. With `service` (Velvet's PassKit web
   * service and this pass's token there), the phone registers for updates.
   */
  build(t: WalletTicket, service: { url: string; authenticationToken: string }): Buffer {
    // pass.json in English; each language's pass.strings maps those words to its own (Apple's way
    // to localize a pass: the phone shows its language's, pass.json's where it has none).
    const words: Translations[] = [];
    const say = (w: Translations) => (words.push(w), w.en);
    const table = t.table
      ? [{ key: 'table', label: say(walletText('wallet.table')), value: `${t.table.number} · ${t.table.tier}` }]
      : [];
    const passJson = {
      formatVersion: 1,
      passTypeIdentifier: this.settings.passTypeId,
      teamIdentifier: this.settings.teamId,
      organizationName: this.settings.organizationName,
      serialNumber: passSerial(t.ticketId, t.generation),
      webServiceURL: service.url,
      authenticationToken: service.authenticationToken,
      description: say(walletText('wallet.description', { event: t.eventName })),
      backgroundColor: t.colours.background,
      foregroundColor: t.colours.foreground,
      labelColor: t.colours.label,
      relevantDate: t.startsAt.toISOString(),
      expirationDate: t.endsAt.toISOString(),
      ...(t.valid ? {} : { voided: true }),
      barcodes: [
        { format: 'PKBarcodeFormatQR', message: t.code, messageEncoding: 'iso-8859-1', altText: t.holderName },
      ],
      eventTicket: {
        primaryFields: [{ key: 'event', label: say(walletText('wallet.event')), value: t.eventName }],
        secondaryFields: [{ key: 'holder', label: say(walletText('wallet.name')), value: t.holderName }, ...table],
        auxiliaryFields: [
          {
            key: 'starts',
            label: say(walletText('wallet.doors')),
            value: t.startsAt.toISOString(),
            dateStyle: 'PKDateStyleMedium',
            timeStyle: 'PKDateStyleShort',
          },
          ...(t.venue ? [{ key: 'venue', label: say(walletText('wallet.venue')), value: t.venue }] : []),
        ],
        backFields: [
          {
            key: 'kind',
            label: say(walletText('wallet.ticket')),
            value: say(ticketKind(t)),
          },
          {
            key: 'rules',
            label: say(walletText('wallet.atDoor')),
            value: say(walletText('wallet.rules')),
          },
        ],
      },
    };
    const pass = new PKPass({ 'pass.json': Buffer.from(JSON.stringify(passJson)), ...this.icons }, this.certificates);
    for (const locale of LOCALES) pass.localize(locale, Object.fromEntries(words.map((w) => [w.en, w[locale]])));
    return pass.getAsBuffer();
  }
}

function readSetting(setting: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `Invalid configuration: ${setting}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

function parse<T>(setting: string, file: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new ConfigError(
      `Invalid configuration: ${setting}: ${file} is not a PEM file of the right kind (${(err as Error).message})`,
    );
  }
}
