import { X509Certificate, createPrivateKey } from 'node:crypto';

/** A certificate Velvet can serve: its chain and key (PEM), and when it is valid. */
export interface ServedCertificate {
  cert: string;
  key: string;
  notBefore: Date;
  notAfter: Date;
  /** Where it came from, for the logs ("ACME", a file's path). */
  source: string;
}

/**
 * Checks a certificate and its key belong together and parses its dates; throws an Error saying
 * what is wrong (the caller names the setting or file).
 */
export function parseCertificate(certPem: string, keyPem: string, source: string): ServedCertificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certPem);
  } catch (err) {
    throw new Error(`not a PEM certificate (${(err as Error).message})`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new Error(`not a PEM private key (${(err as Error).message})`);
  }
  if (!leaf.checkPrivateKey(key)) throw new Error('the private key does not belong to the certificate');
  return { cert: certPem, key: keyPem, notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo), source };
}

const DAY = 86_400_000;

/**
 * When to renew: 30 days before expiry (a 90-day certificate: after 60), or a third of its life
 * before, whichever comes later, so a short-lived certificate is not renewed at once.
 */
export function renewAt(c: Pick<ServedCertificate, 'notBefore' | 'notAfter'>): Date {
  const life = c.notAfter.getTime() - c.notBefore.getTime();
  return new Date(c.notAfter.getTime() - Math.min(30 * DAY, life / 3));
}

export const daysLeft = (c: Pick<ServedCertificate, 'notAfter'>, now: Date) =>
  (c.notAfter.getTime() - now.getTime()) / DAY;
