import type { ServedCertificate } from './certificate.js';

/**
 * Where the HTTPS listener gets its certificate (listeners.ts): ACME (acme-manager.ts) or the
 * owner's own files (certificate-files.ts). A new certificate is handed over while Velvet runs:
 * new connections get it, open ones keep theirs.
 */
export interface CertificateSource {
  current(): ServedCertificate | null;
  onChange(listener: (c: ServedCertificate) => void): void;
  /** ACME's HTTP-01 challenge: the answer for a token, or null when it is none of ours. */
  challenge(token: string): Promise<string | null>;
  stop(): Promise<void>;
  /** Starts keeping the certificate fresh, once the listeners serve (ACME: obtains and renews). */
  watch?(): void;
}
