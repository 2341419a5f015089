import { join } from 'node:path';
import { z } from 'zod';
import { openFileLimit } from './os-limits.js';
import { parseTrustProxy, type TrustProxy } from './http/trust-proxy.js';

// Every setting comes from the environment; README's "Configuration" lists them all.
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  VELVET_DATA_DIR: z.string().min(1).default('./data'),
  VELVET_PUBLIC_URL: z.string().url().optional(),
  VELVET_HOLD_SECONDS: z.coerce.number().int().min(1).default(600),
  VELVET_WAITLIST_OFFER_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  VELVET_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(12 * 3600),
  VELVET_REENTRY_WARNING_SECONDS: z.coerce.number().int().min(0).default(60),
  VELVET_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(5000),
  VELVET_DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
  VELVET_REFUND_RATE_PER_SECOND: z.coerce.number().positive().default(25),
  VELVET_REFUND_LEASE_SECONDS: z.coerce.number().int().min(1).default(60),
  VELVET_MAIL_RATE_PER_SECOND: z.coerce.number().positive().default(20),
  VELVET_LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  VELVET_INVITE_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  VELVET_ORDERS_PER_MINUTE_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  VELVET_ORDERS_PER_MINUTE_PER_EMAIL: z.coerce.number().int().min(1).default(5),
  VELVET_MAX_TICKETS_PER_ORDER: z.coerce.number().int().min(1).max(100).default(10),
  VELVET_UNPAID_TICKETS_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  VELVET_UNPAID_TABLES_PER_ADDRESS: z.coerce.number().int().min(1).default(1),
  VELVET_HOLD_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  VELVET_TRUST_PROXY: z.string().optional(),
  VELVET_MAX_CONNECTIONS: z.coerce.number().int().min(16).optional(),
  VELVET_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(256),
  VELVET_MAX_STREAMS: z.coerce.number().int().min(1).optional(),
  VELVET_MAX_STREAMS_PER_ADDRESS: z.coerce.number().int().min(1).default(32),
  VELVET_BACKUP_INTERVAL: z
    .string()
    .regex(/^(off|\d+(ms|s|m|h)?)$/, 'a duration such as 15m, 900s or 1h, or off')
    .default('15m'),
  VELVET_BACKUP_KEEP: z.coerce.number().int().min(1).default(96),
  VELVET_DOMAIN: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((d) => d.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine(
      (ds) =>
        ds.length > 0 &&
        ds.every((d) =>
          /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(d),
        ),
      'one or more domain names, comma-separated (tickets.club.example)',
    )
    .optional(),
  VELVET_ACME_EMAIL: z.email().optional(),
  VELVET_ACME_DIRECTORY: z.string().url().default('https://acme-v02.api.letsencrypt.org/directory'),
  VELVET_HTTPS_PORT: z.coerce.number().int().min(0).max(65535).default(443),
  VELVET_TLS_CERT: z.string().min(1).optional(),
  VELVET_TLS_KEY: z.string().min(1).optional(),
  VELVET_METRICS_TOKEN: z.string().min(16, 'at least 16 characters (a random secret the scraper sends)').optional(),
  VELVET_SECRET: z.string().min(32).optional(),
  PAYMENT_PROVIDER: z.enum(['local', 'stripe']).default('local'),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  STRIPE_API_URL: z.string().url().optional(),
  STRIPE_PUBLISHABLE_KEY: z
    .string()
    .regex(/^pk_(test|live)_\S+$/, 'a Stripe publishable key (pk_test_… or pk_live_…)')
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'an smtp:// or smtps:// URL')
    .optional(),
  VELVET_MAIL_FROM: z.string().min(3).default('Velvet <tickets@velvet.local>'),
  VELVET_PUSH_CONTACT: z
    .string()
    .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'a mailto: address or an https: URL the push services may contact')
    .optional(),
  VELVET_PUSH_ALLOW_HTTP: z.enum(['0', '1']).default('0'),
  VELVET_PUSH_RATE_PER_SECOND: z.coerce.number().positive().default(50),
  VELVET_APPLE_PASS_TYPE_ID: z
    .string()
    .regex(/^pass\.[A-Za-z0-9.-]+$/, 'a Pass Type ID such as pass.com.club.tickets')
    .optional(),
  VELVET_APPLE_TEAM_ID: z
    .string()
    .regex(/^[A-Z0-9]{10}$/, 'the 10-character Apple Team ID')
    .optional(),
  VELVET_APPLE_PASS_CERT: z.string().min(1).optional(),
  VELVET_APPLE_PASS_KEY: z.string().min(1).optional(),
  VELVET_APPLE_PASS_KEY_PASSPHRASE: z.string().optional(),
  VELVET_APPLE_WWDR_CERT: z.string().min(1).optional(),
  VELVET_WALLET_ORGANIZATION: z.string().min(1).max(64).default('Velvet'),
  VELVET_APNS_URL: z.string().url().default('https://api.push.apple.com'),
  VELVET_APNS_CA_FILE: z.string().min(1).optional(),
  VELVET_GOOGLE_WALLET_ISSUER_ID: z
    .string()
    .regex(/^\d{10,25}$/, 'the numeric Google Wallet issuer ID')
    .optional(),
  VELVET_GOOGLE_WALLET_KEY_FILE: z.string().min(1).optional(),
  VELVET_GOOGLE_WALLET_API_URL: z.string().url().default('https://walletobjects.googleapis.com/walletobjects/v1'),
  VELVET_GOOGLE_OAUTH_TOKEN_URL: z.string().url().default('https://oauth2.googleapis.com/token'),
  VELVET_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'an IANA time zone such as Europe/Berlin')
    .default(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
});

/** How Velvet serves HTTPS (src/tls): not at all, with a certificate it obtains over ACME, or from files. */
export type TlsConfig =
  | { mode: 'off' }
  | { mode: 'acme'; domains: string[]; email: string; directoryUrl: string; httpsPort: number }
  | { mode: 'files'; certFile: string; keyFile: string; httpsPort: number };

export interface Config {
  /** Plain HTTP: the whole app, or (with HTTPS) ACME's challenges and the redirect to HTTPS. */
  port: number;
  tls: TlsConfig;
  host: string;
  databaseUrl: string | undefined;
  /** How long a statement waits for a row another request holds before the request answers 503 busy (PostgreSQL). */
  dbLockTimeoutMs: number;
  dataDir: string;
  publicUrl: string;
  holdSeconds: number;
  /** How long places offered to the next person on a waitlist stay held for them alone. */
  waitlistOfferMinutes: number;
  tokenTtlSeconds: number;
  reentryWarningSeconds: number;
  sweepIntervalMs: number;
  refundRatePerSecond: number;
  /** How long a refund worker owns a claimed refund before another may take it over. */
  refundLeaseMs: number;
  /**
   * Ceiling on mails composed and sent per second by this process. Each order mail renders its
   * QR codes (a few ms of CPU each): unbounded, a presale's mails would take the CPU its buyers
   * need. The outbox keeps the rest for a moment later; SMTP services limit senders anyway.
   */
  mailRatePerSecond: number;
  /** Per client address: each attempt costs a scrypt hash (128 MB, ~0.3 s), and passwords are guessable. */
  loginAttemptsPerMinute: number;
  /** Per ticket: invite codes are 40 bits, so guessing must stay slow. */
  inviteAttemptsPerMinute: number;
  /** Order placement per client address and per e-mail: holding stock for nobody must stay slow. */
  ordersPerMinutePerAddress: number;
  ordersPerMinutePerEmail: number;
  /** GA tickets in one order (a table's own ticket included). */
  maxTicketsPerOrder: number;
  /**
   * What one client (address, proxy-aware; an IPv6 /64) may hold unpaid in one event at once,
   * whatever e-mails it uses: GA tickets, tables, and at most this share of what is not yet paid
   * for (so near the end no single client can take the last of it). See place-order.service.ts.
   */
  holdLimits: { ticketsPerClient: number; tablesPerClient: number; share: number };
  /** Which proxies may name the client (trust-proxy.ts). */
  trustProxy: TrustProxy;
  /**
   * Open connections (socket-gate.ts) and live streams (floor plans, availability), in all and per
   * client. Streams stay below connections, so scans and `/healthz` get in with every stream open.
   * `perClient` is null behind a trusted proxy (every connection comes from the proxy).
   */
  connections: { total: number; perClient: number | null; streams: number; streamsPerClient: number };
  /**
   * The embedded database's own backups (backup-runner.ts): every `intervalMs` (null: off) into
   * `$VELVET_DATA_DIR/backups`, keeping the newest `keep`; one is always taken before migrating.
   */
  backups: { intervalMs: number | null; keep: number };
  /** The bearer token `GET /metrics` needs; unset, metrics are not served. */
  metricsToken: string | undefined;
  secret: string | undefined;
  /** Buyers' mails: through SMTP when `smtpUrl` is set, otherwise written as .eml files into `dir`. */
  mail: { smtpUrl: string | undefined; from: string; dir: string };
  /**
   * Web Push to VIP hosts (services/push): who the push services may contact about our messages
   * (VAPID `sub`), whether subscriptions may name plain-HTTP or loopback endpoints (tests only:
   * browsers' push services are all HTTPS, and a buyer-given URL must not reach inside the
   * network), and how many pushes a second this process sends.
   */
  push: { contact: string; allowHttpEndpoints: boolean; ratePerSecond: number };
  /** Wallet passes, each platform only when all of its settings are given (src/wallet). */
  wallet: {
    organizationName: string;
    apple: {
      passTypeId: string;
      teamId: string;
      certFile: string;
      keyFile: string;
      keyPassphrase: string | undefined;
      wwdrFile: string;
      /** Where pass update pushes go (Apple's APNs), and a CA to trust for it (a proxy, a test). */
      apnsUrl: string;
      apnsCaFile: string | undefined;
    } | null;
    google: { issuerId: string; keyFile: string; apiUrl: string; tokenUrl: string } | null;
  };
  /** Where the events happen: times in mails are written in this zone. */
  timeZone: string;
  payments:
    | { provider: 'local' }
    | {
        provider: 'stripe';
        secretKey: string;
        webhookSecret: string;
        publishableKey: string;
        apiUrl: string | undefined;
      };
}

/** A setting the operator must fix; the CLI prints just this message. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const tls = tlsConfig(e);
  // With HTTPS, plain HTTP is where ACME's HTTP-01 challenges arrive: port 80 unless told otherwise.
  const port = e.PORT ?? (tls.mode === 'off' ? 3000 : 80);
  const trustProxy = parseTrustProxy(e.VELVET_TRUST_PROXY);
  if (typeof trustProxy === 'object' && !Array.isArray(trustProxy))
    throw new ConfigError(`Invalid configuration: VELVET_TRUST_PROXY: ${trustProxy.error}`);
  // Each connection is a file descriptor: leave room for the database, the data directory and mail.
  const totalConnections = e.VELVET_MAX_CONNECTIONS ?? Math.max(32, (openFileLimit() ?? 1024) - 128);
  const streams = e.VELVET_MAX_STREAMS ?? Math.floor(totalConnections * 0.75);
  if (streams >= totalConnections) {
    throw new ConfigError(
      `Invalid configuration: VELVET_MAX_STREAMS (${streams}) must be below VELVET_MAX_CONNECTIONS (${totalConnections}), so scans still get in when every live view is open`,
    );
  }
  let payments: Config['payments'] = { provider: 'local' };
  if (e.PAYMENT_PROVIDER === 'stripe') {
    if (!e.STRIPE_SECRET_KEY || !e.STRIPE_WEBHOOK_SECRET || !e.STRIPE_PUBLISHABLE_KEY) {
      throw new ConfigError(
        'Invalid configuration: PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_PUBLISHABLE_KEY',
      );
    }
    payments = {
      provider: 'stripe',
      secretKey: e.STRIPE_SECRET_KEY,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET,
      publishableKey: e.STRIPE_PUBLISHABLE_KEY,
      apiUrl: e.STRIPE_API_URL,
    };
  }
  return {
    port,
    tls,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dbLockTimeoutMs: e.VELVET_DB_LOCK_TIMEOUT_MS,
    dataDir: e.VELVET_DATA_DIR,
    publicUrl: (e.VELVET_PUBLIC_URL ?? defaultPublicUrl(tls, port)).replace(/\/$/, ''),
    holdSeconds: e.VELVET_HOLD_SECONDS,
    waitlistOfferMinutes: e.VELVET_WAITLIST_OFFER_MINUTES,
    tokenTtlSeconds: e.VELVET_TOKEN_TTL_SECONDS,
    reentryWarningSeconds: e.VELVET_REENTRY_WARNING_SECONDS,
    sweepIntervalMs: e.VELVET_SWEEP_INTERVAL_MS,
    refundRatePerSecond: e.VELVET_REFUND_RATE_PER_SECOND,
    refundLeaseMs: e.VELVET_REFUND_LEASE_SECONDS * 1000,
    mailRatePerSecond: e.VELVET_MAIL_RATE_PER_SECOND,
    loginAttemptsPerMinute: e.VELVET_LOGIN_ATTEMPTS_PER_MINUTE,
    inviteAttemptsPerMinute: e.VELVET_INVITE_ATTEMPTS_PER_MINUTE,
    ordersPerMinutePerAddress: e.VELVET_ORDERS_PER_MINUTE_PER_ADDRESS,
    ordersPerMinutePerEmail: e.VELVET_ORDERS_PER_MINUTE_PER_EMAIL,
    maxTicketsPerOrder: e.VELVET_MAX_TICKETS_PER_ORDER,
    holdLimits: {
      ticketsPerClient: e.VELVET_UNPAID_TICKETS_PER_ADDRESS,
      tablesPerClient: e.VELVET_UNPAID_TABLES_PER_ADDRESS,
      share: e.VELVET_HOLD_SHARE,
    },
    trustProxy,
    backups: { intervalMs: parseDuration(e.VELVET_BACKUP_INTERVAL), keep: e.VELVET_BACKUP_KEEP },
    metricsToken: e.VELVET_METRICS_TOKEN,
    connections: {
      total: totalConnections,
      perClient: trustProxy === false ? e.VELVET_MAX_CONNECTIONS_PER_ADDRESS : null,
      streams,
      streamsPerClient: e.VELVET_MAX_STREAMS_PER_ADDRESS,
    },
    secret: e.VELVET_SECRET,
    mail: { smtpUrl: e.SMTP_URL, from: e.VELVET_MAIL_FROM, dir: join(e.VELVET_DATA_DIR, 'mail') },
    push: {
      contact: e.VELVET_PUSH_CONTACT ?? pushContact(e.VELVET_MAIL_FROM),
      allowHttpEndpoints: e.VELVET_PUSH_ALLOW_HTTP === '1',
      ratePerSecond: e.VELVET_PUSH_RATE_PER_SECOND,
    },
    timeZone: e.VELVET_TIME_ZONE,
    wallet: walletConfig(e),
    payments,
  };
}

type Env = z.infer<typeof envSchema>;

/** The HTTPS settings, checked together: each mistake names its variable. */
function tlsConfig(e: Env): TlsConfig {
  const files = e.VELVET_TLS_CERT !== undefined || e.VELVET_TLS_KEY !== undefined;
  if (e.VELVET_DOMAIN && files)
    throw new ConfigError(
      'Invalid configuration: VELVET_DOMAIN (a certificate obtained over ACME) and VELVET_TLS_CERT/VELVET_TLS_KEY (your own) exclude each other: set one',
    );
  if (e.VELVET_DOMAIN) {
    if (!e.VELVET_ACME_EMAIL)
      throw new ConfigError(
        'Invalid configuration: VELVET_ACME_EMAIL: the certificate authority needs an e-mail address for the account of VELVET_DOMAIN',
      );
    return {
      mode: 'acme',
      domains: e.VELVET_DOMAIN,
      email: e.VELVET_ACME_EMAIL,
      directoryUrl: e.VELVET_ACME_DIRECTORY,
      httpsPort: e.VELVET_HTTPS_PORT,
    };
  }
  if (e.VELVET_ACME_EMAIL)
    throw new ConfigError(
      'Invalid configuration: VELVET_ACME_EMAIL is set but VELVET_DOMAIN is not: name the domain(s) to obtain a certificate for',
    );
  if (files) {
    if (!e.VELVET_TLS_CERT)
      throw new ConfigError(
        'Invalid configuration: VELVET_TLS_CERT: set the certificate file too (PEM), beside VELVET_TLS_KEY',
      );
    if (!e.VELVET_TLS_KEY)
      throw new ConfigError(
        'Invalid configuration: VELVET_TLS_KEY: set the private key file too (PEM), beside VELVET_TLS_CERT',
      );
    return { mode: 'files', certFile: e.VELVET_TLS_CERT, keyFile: e.VELVET_TLS_KEY, httpsPort: e.VELVET_HTTPS_PORT };
  }
  return { mode: 'off' };
}

/** Each wallet's settings come all together or not at all: a half-set one names what is missing. */
function walletConfig(e: Env): Config['wallet'] {
  const all = <K extends keyof Env>(platform: string, keys: K[]) => {
    const missing = keys.filter((k) => e[k] === undefined);
    if (missing.length === keys.length) return false;
    if (missing.length)
      throw new ConfigError(
        `Invalid configuration: ${missing.join(', ')}: ${platform} wallet passes need ${keys.join(', ')} together`,
      );
    return true;
  };
  const apple = all('Apple', [
    'VELVET_APPLE_PASS_TYPE_ID',
    'VELVET_APPLE_TEAM_ID',
    'VELVET_APPLE_PASS_CERT',
    'VELVET_APPLE_PASS_KEY',
    'VELVET_APPLE_WWDR_CERT',
  ]);
  const google = all('Google', ['VELVET_GOOGLE_WALLET_ISSUER_ID', 'VELVET_GOOGLE_WALLET_KEY_FILE']);
  return {
    organizationName: e.VELVET_WALLET_ORGANIZATION,
    apple: apple
      ? {
          passTypeId: e.VELVET_APPLE_PASS_TYPE_ID!,
          teamId: e.VELVET_APPLE_TEAM_ID!,
          certFile: e.VELVET_APPLE_PASS_CERT!,
          keyFile: e.VELVET_APPLE_PASS_KEY!,
          keyPassphrase: e.VELVET_APPLE_PASS_KEY_PASSPHRASE,
          wwdrFile: e.VELVET_APPLE_WWDR_CERT!,
          apnsUrl: e.VELVET_APNS_URL,
          apnsCaFile: e.VELVET_APNS_CA_FILE,
        }
      : null,
    google: google
      ? {
          issuerId: e.VELVET_GOOGLE_WALLET_ISSUER_ID!,
          keyFile: e.VELVET_GOOGLE_WALLET_KEY_FILE!,
          apiUrl: e.VELVET_GOOGLE_WALLET_API_URL,
          tokenUrl: e.VELVET_GOOGLE_OAUTH_TOKEN_URL,
        }
      : null,
  };
}

function defaultPublicUrl(tls: TlsConfig, port: number): string {
  if (tls.mode === 'acme')
    return `https://${tls.domains[0]!.replace(/^\*\./, '')}${tls.httpsPort === 443 ? '' : `:${tls.httpsPort}`}`;
  if (tls.mode === 'files') return `https://localhost${tls.httpsPort === 443 ? '' : `:${tls.httpsPort}`}`;
  return `http://localhost:${port}`;
}

/** The mail sender's address, as the push services' contact when none is configured. */
function pushContact(mailFrom: string): string {
  const address = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  return `mailto:${address}`;
}

/** `15m`, `900s`, `1h`, `500ms` or plain seconds; `off` is null. */
function parseDuration(value: string): number | null {
  if (value === 'off') return null;
  const [, n, unit] = /^(\d+)(ms|s|m|h)?$/.exec(value)!;
  return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(unit ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
