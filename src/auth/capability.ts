import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { INVITE_ALPHABET, INVITE_LENGTH } from '../domain/invite-code.js';

/** An order's manage token: 256 random bits; only its SHA-256 is stored. */
export function newManageToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashManageToken(token) };
}

export const hashManageToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function manageTokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashManageToken(token));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 8 characters from a 32-letter alphabet: 40 random bits, easy to read out at a bar. */
export function newInviteCode(): string {
  let code = '';
  for (let i = 0; i < INVITE_LENGTH; i++) code += INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)];
  return code;
}
