import { z } from 'zod';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { signSessionToken } from '../../auth/session-tokens.js';
import { findUserByEmail, insertUser, type Role, type UserRow } from '../../db/repos/users.repo.js';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export const MIN_PASSWORD = 8;

export async function addUser(
  deps: Pick<AppDeps, 'database'>,
  input: { email: string; password: string; role: Role; name?: string },
): Promise<UserRow> {
  const problems: Record<string, string> = {};
  if (!z.email().safeParse(input.email.trim()).success) problems.email = 'is not an e-mail address';
  if (input.password.length < MIN_PASSWORD) problems.password = `needs at least ${MIN_PASSWORD} characters`;
  if (Object.keys(problems).length) {
    const list = Object.entries(problems)
      .map(([field, why]) => `${field} ${why}`)
      .join('; ');
    throw new DomainError('invalid_request', `The account is not valid: ${list}`, problems);
  }
  const user = await insertUser(deps.database.db, {
    email: normalizeEmail(input.email),
    passwordHash: await hashPassword(input.password),
    role: input.role,
    name: input.name?.trim() ?? '',
  });
  if (!user) throw new DomainError('email_taken', `An account for ${input.email} already exists`);
  return user;
}

// Compared against when the email is unknown, so a miss costs as much as a wrong password.
let decoyHash: Promise<string> | undefined;

export async function login(
  deps: Pick<AppDeps, 'database' | 'clock' | 'keys' | 'config'>,
  input: { email: string; password: string },
): Promise<{ token: string; role: Role; expires_at: string }> {
  const user = await findUserByEmail(deps.database.db, normalizeEmail(input.email));
  // A decoy refused by a full hashing line is not kept: the next login makes it again.
  decoyHash ??= hashPassword('decoy password').catch((err: unknown) => {
    decoyHash = undefined;
    throw err;
  });
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash));
  if (!user || !ok) throw new DomainError('unauthorized', 'Wrong email or password');
  if (user.disabledAt) throw new DomainError('unauthorized', 'This account is disabled; ask the owner');
  const exp = Math.floor(deps.clock.now().getTime() / 1000) + deps.config.tokenTtlSeconds;
  return {
    token: signSessionToken(deps.keys.sessionSecret, { sub: user.id, role: user.role, exp, ep: user.sessionEpoch }),
    role: user.role,
    expires_at: new Date(exp * 1000).toISOString(),
  };
}
