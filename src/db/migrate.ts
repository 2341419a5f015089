import { fileURLToPath } from 'node:url';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
/** Drizzle's bookkeeping table lives in its own schema, apart from Velvet's tables. */
export const migrationsConfig = { migrationsFolder, migrationsSchema: 'drizzle' } as const;
