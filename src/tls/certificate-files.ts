import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { ConfigError } from '../config.js';
import type { CertificateSource } from './certificate-source.js';
import { parseCertificate, type ServedCertificate } from './certificate.js';

/**
 * The owner's own certificate (VELVET_TLS_CERT, VELVET_TLS_KEY: PEM files; a venue's LAN, a
 * corporate CA). Read at start: a file missing, unreadable or not matching stops the process with
 * a message naming the setting. Then the files are watched (polled, so a renewal that replaces
 * them, as certbot's does, is seen too): a new pair that checks out is served to new connections;
 * one that does not is logged and the old certificate kept.
 */
export class CertificateFiles implements CertificateSource {
  private cert: ServedCertificate;
  private readonly listeners: Array<(c: ServedCertificate) => void> = [];
  private settle: NodeJS.Timeout | undefined;

  constructor(
    private readonly certFile: string,
    private readonly keyFile: string,
    private readonly log: (msg: string) => void,
    pollMs = 5_000,
  ) {
    this.cert = CertificateFiles.read(certFile, keyFile);
    // Both files change in a renewal, one after the other: read them once both have settled.
    const changed = () => {
      clearTimeout(this.settle);
      this.settle = setTimeout(() => this.reload(), Math.min(1_000, pollMs));
    };
    watchFile(certFile, { interval: pollMs, persistent: false }, changed);
    watchFile(keyFile, { interval: pollMs, persistent: false }, changed);
  }

  static read(certFile: string, keyFile: string): ServedCertificate {
    const read = (file: string, setting: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        throw new ConfigError(
          `Invalid configuration: ${setting}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
    };
    const cert = read(certFile, 'VELVET_TLS_CERT');
    const key = read(keyFile, 'VELVET_TLS_KEY');
    try {
      return parseCertificate(cert, key, certFile);
    } catch (err) {
      const setting = /private key/.test((err as Error).message) ? 'VELVET_TLS_KEY' : 'VELVET_TLS_CERT';
      throw new ConfigError(`Invalid configuration: ${setting}: ${certFile} and ${keyFile}: ${(err as Error).message}`);
    }
  }

  current(): ServedCertificate {
    return this.cert;
  }

  onChange(listener: (c: ServedCertificate) => void): void {
    this.listeners.push(listener);
  }

  async challenge(): Promise<null> {
    return null;
  }

  async stop(): Promise<void> {
    clearTimeout(this.settle);
    unwatchFile(this.certFile);
    unwatchFile(this.keyFile);
  }

  private reload(): void {
    let next: ServedCertificate;
    try {
      next = CertificateFiles.read(this.certFile, this.keyFile);
    } catch (err) {
      this.log(
        `velvet: the certificate files changed but cannot be used (${(err as Error).message}); still serving the one valid until ${this.cert.notAfter.toISOString()}`,
      );
      return;
    }
    if (next.cert === this.cert.cert && next.key === this.cert.key) return;
    this.cert = next;
    this.log(`velvet: serving the new certificate from ${this.certFile}, valid until ${next.notAfter.toISOString()}`);
    for (const listener of this.listeners) listener(next);
  }
}
