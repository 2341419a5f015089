import { eq } from 'drizzle-orm';
import type { Executor } from '../database.js';
import { users } from '../schema.js';

export type UserRow = typeof users.$inferSelect;
export type Role = UserRow['role'];

export async function insertUser(db: Executor, u: { email: string; passwordHash: string; role: Role }): Promise<UserRow | null> {
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
