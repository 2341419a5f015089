import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DomainError } from '../domain/errors.js';
import { WorkQueue } from './work-queue.js';

/**
 * Every hash in this process goes through one line: one at a time per core beyond the first (each
 * holds a thread-pool thread, a core and 128 MB for ~0.3 s; one core stays for everything else),
 * eight waiting, and beyond that `503 busy` at once. A login flood then costs the flooder, never
 * the door's assets, scans or the data directory's lock.
 */
export const passwordHashing = new WorkQueue(
  Math.min(4, Math.max(1, availableParallelism() - 1)),
  8,
  () =>
    new DomainError('busy', 'Too many logins at this moment; try again in a few seconds', { retry_after_seconds: 2 }),
);

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  passwordHashing.run(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
      ),
  );

// OWASP's scrypt floor (N=2^17, r=8, p=1); the parameters travel with the hash so they can grow.
const PARAMS = { N: 2 ** 17, r: 8, p: 1 };
const KEYLEN = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...PARAMS, maxmem: 256 * 1024 * 1024 });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}
