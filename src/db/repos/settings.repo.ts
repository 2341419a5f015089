import { eq } from 'drizzle-orm';
import type { Executor } from '../database.js';
import { settings } from '../schema.js';

/**
 * Returns the stored value for `key`, storing `create()` first if there is none. Safe when several
 * instances start at once: the first insert wins and everyone reads the winner's value.
 */
export async function getOrCreateSetting(db: Executor, key: string, create: () => string): Promise<string> {
  await db.insert(settings).values({ key, value: create() }).onConflictDoNothing();
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  if (!row) throw new Error(`setting ${key} vanished`);
  return row.value;
}

export async function findSetting(db: Executor, key: string): Promise<string | null> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return row?.value ?? null;
}
