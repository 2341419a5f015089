import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { migrationsFolder } from '../../src/db/migrate.js';
import pg from 'pg';
import type { Database } from '../../src/db/database.js';
import { openMemoryPglite, openPgliteDir } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';

/** Which database the integration suite runs on: PGlite in memory, or PostgreSQL via DATABASE_URL. */
export const onPostgres = Boolean(process.env.DATABASE_URL);
export const databaseLabel = onPostgres ? 'postgres' : 'pglite';

/**
 * A fresh, migrated, private database. On PostgreSQL each one is its own scratch database (created
 * next to the one DATABASE_URL names, dropped on close), so test files never see each other's rows.
 */
export async function openTestDatabase(opts: { poolSize?: number; lockTimeoutMs?: number } = {}): Promise<Database> {
  if (!process.env.DATABASE_URL) return openMemoryPglite({ from: await migratedTemplate() });
  const scratch = await createScratchDatabase();
  const database = await openPostgres(scratch.url, { max: opts.poolSize ?? 10, lockTimeoutMs: opts.lockTimeoutMs });
  return {
    ...database,
    close: async () => {
      await database.close();
      await scratch.drop();
    },
  };
}

/** An empty PostgreSQL database beside the one DATABASE_URL names. */
export async function createScratchDatabase(
  adminUrl = process.env.DATABASE_URL,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = adminUrl;
  if (!url) throw new Error('DATABASE_URL is not set');
  const name = `velvet_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(url, `CREATE DATABASE ${name}`);
  return { url: withDatabase(url, name), drop: () => adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A migrated empty embedded database's files, built once per version of the migrations and kept
 * in the temporary directory: loading them (~0.4 s) instead of migrating a new database (~1.5 s)
 * in each of the suite's ~100 files. Written under a temporary name and renamed, so processes
 * building it at once never read half a file.
 */
/** Changes when the migrations or PGlite's file format change: the key of the templates below. */
function templateKey(): string {
  const hash = createHash('sha256');
  for (const f of readdirSync(migrationsFolder).sort())
    if (f.endsWith('.sql')) hash.update(readFileSync(join(migrationsFolder, f)));
  hash.update(readFileSync(join(migrationsFolder, 'meta', '_journal.json')));
  hash.update(readFileSync('node_modules/@electric-sql/pglite/package.json')); // its file format
  return hash.digest('hex').slice(0, 16);
}

async function migratedTemplate(): Promise<Blob> {
  const file = join(tmpdir(), `velvet-test-template-${templateKey()}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const database = await openMemoryPglite();
  try {
    const dump = await (database.source as { client: PGlite }).client.dumpDataDir('none');
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
    return dump;
  } finally {
    await database.close();
  }
}

/**
 * A migrated, empty embedded-database directory at `dir`, for tests whose subject is not how a
 * data directory is created: copied (~0.1 s) from one built once per version of the migrations
 * (PGlite's initdb on disk takes ~2 s of CPU). A template another process is building is never
 * copied half-made: it appears by rename.
 */
export async function migratedDataDir(dir: string): Promise<void> {
  const template = join(tmpdir(), `velvet-test-datadir-${templateKey()}`);
  if (!existsSync(template)) {
    const building = `${template}.${process.pid}.tmp`;
    await (await openPgliteDir(building)).close();
    try {
      renameSync(building, template);
    } catch {
      rmSync(building, { recursive: true, force: true }); // built by another process meanwhile
    }
  }
  cpSync(template, dir, { recursive: true });
}
