import { eq, lt } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { getOrCreateSetting } from '../db/repos/settings.repo.js';
import { acmeChallenges, tlsCertificates } from '../db/schema.js';

/** The key a set of domains is stored under: sorted, so the order they are configured in does not matter. */
export const domainsKey = (domains: string[]) => [...domains].sort().join(',');

export async function findStoredCertificate(db: Executor, domains: string[]) {
  const [row] = await db
    .select()
    .from(tlsCertificates)
    .where(eq(tlsCertificates.domains, domainsKey(domains)));
  return row ?? null;
}

export async function storeCertificate(
  db: Executor,
  domains: string[],
  c: { keyPem: string; certPem: string; notBefore: Date; notAfter: Date },
): Promise<void> {
  const row = { domains: domainsKey(domains), ...c, updatedAt: new Date() };
  await db.insert(tlsCertificates).values(row).onConflictDoUpdate({ target: tlsCertificates.domains, set: row });
}

/** The ACME account's key for a certificate authority, made once and shared by every instance. */
export function accountKey(db: Executor, directoryUrl: string, create: () => string): Promise<string> {
  return getOrCreateSetting(db, `acme_account_key:${directoryUrl}`, create);
}

export async function putChallenge(db: Executor, token: string, keyAuthorization: string): Promise<void> {
  await db
    .insert(acmeChallenges)
    .values({ token, keyAuthorization })
    .onConflictDoUpdate({ target: acmeChallenges.token, set: { keyAuthorization } });
}

export async function findChallenge(db: Executor, token: string): Promise<string | null> {
  const [row] = await db
    .select({ k: acmeChallenges.keyAuthorization })
    .from(acmeChallenges)
    .where(eq(acmeChallenges.token, token));
  return row?.k ?? null;
}

export async function removeChallenge(db: Executor, token: string): Promise<void> {
  await db.delete(acmeChallenges).where(eq(acmeChallenges.token, token));
}

/** Challenges left behind by a process that died mid-order. */
export async function removeStaleChallenges(db: Executor, before: Date): Promise<void> {
  await db.delete(acmeChallenges).where(lt(acmeChallenges.createdAt, before));
}
