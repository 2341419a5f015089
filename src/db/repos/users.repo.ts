import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../database.js';
import { users } from '../schema.js';

export type UserRow = typeof users.$inferSelect;
export type Role = UserRow['role'];

export async function insertUser(
  db: Executor,
  u: { email: string; passwordHash: string; role: Role; name?: string },
): Promise<UserRow | null> {
  const [row] = await db.insert(users).values(u).onConflictDoNothing({ target: users.email }).returning();
  return row ?? null;
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row ?? null;
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row ?? null;
}

export async function listUsers(db: Executor): Promise<UserRow[]> {
  return db.select().from(users).orderBy(asc(users.role), asc(users.email));
}

export async function countActiveOwners(db: Executor): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(and(eq(users.role, 'owner'), isNull(users.disabledAt)));
  return row?.n ?? 0;
}

/** Locks the owner rows (in id order) so two owners disabling each other cannot both succeed. */
export async function lockOwners(db: Executor): Promise<void> {
  await db.select({ id: users.id }).from(users).where(eq(users.role, 'owner')).orderBy(asc(users.id)).for('update');
}

export async function updateUser(
  db: Executor,
  id: string,
  patch: Partial<Pick<UserRow, 'name' | 'passwordHash' | 'disabledAt'>> & { bumpEpoch?: boolean },
): Promise<UserRow | null> {
  const { bumpEpoch, ...fields } = patch;
  const [row] = await db
    .update(users)
    .set({ ...fields, ...(bumpEpoch ? { sessionEpoch: sql`${users.sessionEpoch} + 1` } : {}) })
    .where(eq(users.id, id))
    .returning();
  return row ?? null;
}

/** What a login token is checked against on every request (cached briefly; see account-gate.ts). */
export async function findSessionState(db: Executor, id: string): Promise<{ epoch: number; disabled: boolean } | null> {
  const [row] = await db
    .select({ epoch: users.sessionEpoch, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, id));
  return row ? { epoch: row.epoch, disabled: row.disabledAt !== null } : null;
}
