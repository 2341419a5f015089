import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { pgDump } from '@electric-sql/pglite-tools/pg_dump';
import { migrationsFolder } from '../db/migrate.js';

/**
 * Both databases are dumped by the same program, pg_dump (the embedded one through
 * `@electric-sql/pglite-tools`, pg_dump compiled to WebAssembly), as plain SQL: Velvet's own
 * schemas only (a Supabase database holds others), no owners or grants (the restoring account owns
 * what it creates), rows as multi-row INSERTs (a driver can replay them; COPY needs psql).
 */
export const DUMP_ARGS = [
  '--no-owner',
  '--no-privileges',
  '--rows-per-insert=1000',
  '--schema=public',
  '--schema=drizzle',
];

export class DumpError extends Error {
  override name = 'DumpError';
}

/** pg_dump against a PostgreSQL URL: needs the PostgreSQL client tools on this machine. */
export function dumpPostgres(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('pg_dump', [...DUMP_ARGS, `--dbname=${url}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new DumpError(
              "pg_dump is not installed: install the PostgreSQL client tools of your server's version (Debian: apt-get install postgresql-client), then try again",
            )
          : new DumpError(`pg_dump could not start: ${e.message}`),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new DumpError(`pg_dump failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

/**
 * pgDump on an embedded database nobody else is using (a snapshot's copy, or one this process has
 * locked and opened for the purpose): it runs synchronously and resets the connection's prepared
 * statements, so never on the serving instance.
 */
export async function dumpPglite(client: PGlite): Promise<string> {
  const file = await pgDump({ pg: client, args: DUMP_ARGS });
  return file.text();
}

/** The last migration applied, by name (`0012_scan_request_digest`), or null on a database without any. */
export async function lastMigration(
  query: (sql: string) => Promise<Array<{ created_at: string | number }>>,
): Promise<string | null> {
  const rows = await query(
    'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
  ).catch(() => []);
  const when = rows[0] ? Number(rows[0].created_at) : null;
  if (when === null) return null;
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
    entries: Array<{ tag: string; when: number }>;
  };
  return journal.entries.find((e) => e.when === when)?.tag ?? `unknown (${when})`;
}
