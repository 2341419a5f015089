import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '../db/repos/users.repo.js';

export interface SessionClaims {
  sub: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** The account's session epoch when issued (absent: 0); a later epoch voids the token. */
  ep?: number;
}

/** A staff or owner bearer token: `<claims base64url>.<HMAC-SHA256 base64url>`, expiring. */
export function signSessionToken(secret: string, claims: SessionClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

export function verifySessionToken(secret: string, token: string, now: Date): SessionClaims | null {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return null;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as SessionClaims;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) return null;
    if (claims.role !== 'owner' && claims.role !== 'staff') return null;
    return claims;
  } catch {
    return null;
  }
}

const mac = (secret: string, body: string) =>
  createHmac('sha256', secret).update(`velvet-session.${body}`).digest('base64url');
