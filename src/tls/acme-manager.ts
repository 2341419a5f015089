import * as acme from 'acme-client';
import type { Clock } from '../clock.js';
import type { TlsConfig } from '../config.js';
import type { Database } from '../db/database.js';
import {
  accountKey,
  domainsKey,
  findChallenge,
  findStoredCertificate,
  putChallenge,
  removeChallenge,
  removeStaleChallenges,
  storeCertificate,
} from './acme-store.js';
import type { CertificateSource } from './certificate-source.js';
import { parseCertificate, renewAt, type ServedCertificate } from './certificate.js';

type AcmeConfig = Extract<TlsConfig, { mode: 'acme' }>;

// acme-client retries a failed request 5 times, waiting 5, 10 … 25 s: over a minute before an
// unreachable authority is even reported. Two quick retries cover a blip; the manager's own
// backoff (below) takes it from there, and says so in the log each time.
(
  acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number; retryDefaultDelay: number } }
).acmeSettings.retryMaxAttempts = 2;
(
  acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number; retryDefaultDelay: number } }
).acmeSettings.retryDefaultDelay = 2;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A certificate for VELVET_DOMAIN, obtained and renewed over ACME (HTTP-01) while Velvet runs.
 *
 * The certificate, its key and the ACME account's key live in the database, so every instance on
 * it serves the same certificate. Each instance checks regularly (every hour, sooner for a
 * short-lived certificate): a newer certificate in the database is taken over at once; one that
 * is due (renewAt: 30 days before expiry, or a third of its life) is renewed by whichever instance
 * gets the advisory lock first, which looks in the database again before ordering (another may
 * just have renewed it). The others try again a few seconds later and pick the new one up.
 *
 * The certificate authority may ask any instance for a challenge's answer: answers are kept in
 * the database (and in memory) until the order is done.
 *
 * A failure never stops Velvet: it keeps serving the certificate it has (or plain HTTP, with a
 * loud warning, when it has none yet), logs one line per failed attempt with the authority's own
 * words, and tries again with backoff (5 s, doubling, at most an hour).
 */
export class AcmeManager implements CertificateSource {
  private cert: ServedCertificate | null = null;
  private readonly listeners: Array<(c: ServedCertificate) => void> = [];
  private readonly answers = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private failures = 0;
  /** Certificates this process has ordered (tests count them across instances). */
  ordered = 0;

  constructor(
    private readonly deps: { database: Pick<Database, 'db' | 'exclusively'>; clock: Clock },
    private readonly tls: AcmeConfig,
    private readonly log: (msg: string) => void,
  ) {}

  current(): ServedCertificate | null {
    return this.cert;
  }

  onChange(listener: (c: ServedCertificate) => void): void {
    this.listeners.push(listener);
  }

  async challenge(token: string): Promise<string | null> {
    return this.answers.get(token) ?? (await findChallenge(this.deps.database.db, token));
  }

  /** Takes over the certificate stored in the database, if there is one. */
  async loadStored(): Promise<void> {
    await this.adoptStored().catch((err: unknown) =>
      this.log(`velvet: could not read the stored certificate: ${(err as Error).message}`),
    );
  }

  /** Checks now and then keeps checking in the background (once plain HTTP listens for the challenges). */
  watch(): void {
    this.running = this.check();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    let nextMs: number;
    try {
      await this.adoptStored();
      if (this.cert && this.deps.clock.now() < renewAt(this.cert)) {
        nextMs = this.untilNextCheck();
      } else {
        const done = await this.deps.database.exclusively(`acme:${domainsKey(this.tls.domains)}`, () => this.renew());
        // Another instance is ordering right now: look again shortly and take its certificate.
        nextMs = done === null ? 5_000 : this.untilNextCheck();
      }
      this.failures = 0;
    } catch (err) {
      this.failures++;
      nextMs = Math.min(HOUR, 5_000 * 2 ** (this.failures - 1)) * (0.8 + Math.random() * 0.4);
      const serving = this.cert
        ? `still serving the certificate valid until ${this.cert.notAfter.toISOString()}`
        : 'serving plain HTTP meanwhile';
      this.log(
        `velvet: could not obtain a certificate for ${this.tls.domains.join(', ')} from ${this.tls.directoryUrl}: ${describe(err)}; ${serving}; next try in ${Math.round(nextMs / 1000)} s`,
      );
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.check();
    }, nextMs);
    this.timer.unref();
  }

  /** Every hour, or a tenth of the certificate's life, and never past its renewal time. */
  private untilNextCheck(): number {
    if (!this.cert) return 5_000;
    const life = this.cert.notAfter.getTime() - this.cert.notBefore.getTime();
    const untilRenewal = renewAt(this.cert).getTime() - this.deps.clock.now().getTime();
    return Math.max(1_000, Math.min(HOUR, life / 10, untilRenewal));
  }

  private async adoptStored(): Promise<void> {
    const stored = await findStoredCertificate(this.deps.database.db, this.tls.domains);
    if (!stored || (this.cert && this.cert.cert === stored.certPem)) return;
    if (this.cert && stored.notAfter <= this.cert.notAfter) return;
    this.adopt(parseCertificate(stored.certPem, stored.keyPem, 'ACME'));
  }

  private adopt(c: ServedCertificate): void {
    this.cert = c;
    for (const listener of this.listeners) listener(c);
  }

  /** Under the lock: renew unless another instance just did. */
  private async renew(): Promise<void> {
    const db = this.deps.database.db;
    await this.adoptStored();
    if (this.cert && this.deps.clock.now() < renewAt(this.cert)) return;
    await removeStaleChallenges(db, new Date(this.deps.clock.now().getTime() - HOUR));
    // The account's key is made once per authority and kept: every instance orders as the same account.
    const fresh = (await acme.crypto.createPrivateEcdsaKey()).toString();
    const client = new acme.Client({
      directoryUrl: this.tls.directoryUrl,
      accountKey: await accountKey(db, this.tls.directoryUrl, () => fresh),
    });
    const [key, csr] = await acme.crypto.createCsr(
      { commonName: this.tls.domains[0]!, altNames: this.tls.domains },
      await acme.crypto.createPrivateEcdsaKey(),
    );
    const pem = await client.auto({
      csr,
      email: this.tls.email,
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      // The authority's own check is the one that counts; a check from inside often cannot reach
      // the public address (no hairpin NAT), and would fail an order that would succeed.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        if (challenge.type !== 'http-01')
          throw new Error(`challenge ${challenge.type} is not offered by Velvet (HTTP-01 on port 80 is)`);
        this.answers.set(challenge.token, keyAuthorization);
        await putChallenge(db, challenge.token, keyAuthorization);
      },
      challengeRemoveFn: async (_authz, challenge) => {
        this.answers.delete(challenge.token);
        await removeChallenge(db, challenge.token).catch(() => {});
      },
    });
    const c = parseCertificate(pem, key.toString(), 'ACME');
    await storeCertificate(db, this.tls.domains, {
      keyPem: c.key,
      certPem: c.cert,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
    });
    this.ordered++;
    this.log(
      `velvet: obtained a certificate for ${this.tls.domains.join(', ')} from ${this.tls.directoryUrl}, valid until ${c.notAfter.toISOString()}`,
    );
    this.adopt(c);
  }
}

/** The authority's own words when it gave them (an ACME problem document), otherwise the error. */
function describe(err: unknown): string {
  const e = err as { message?: string; response?: { data?: { detail?: string; type?: string } } };
  // acme-client 5.4 loses a network error once its retries run out: it then fails reading the
  // missing response ("reading 'config'"). Only an unanswered request gets there.
  if (err instanceof TypeError && /reading 'config'/.test(err.message))
    return 'the certificate authority did not answer (unreachable, refused or timed out)';
  return e.response?.data?.detail ?? e.message ?? String(err);
}
