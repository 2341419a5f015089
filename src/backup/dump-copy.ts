/**
 * `node --import tsx dump-copy.ts <copy dir> <backup file> <created at>`: opens a snapshot's copy
 * of the embedded database (recovering it as after a crash), dumps it, and writes the backup
 * file. Run by pglite-snapshot.ts in a process of its own.
 */
import { PGlite } from '@electric-sql/pglite';
import { writeBackupFile } from './backup-file.js';
import { dumpPglite, lastMigration } from './dumps.js';

const [copyDir, file, createdAt] = process.argv.slice(2);
if (!copyDir || !file || !createdAt) {
  console.error('usage: dump-copy.ts <copy dir> <backup file> <created at>');
  process.exit(2);
}
// A backup whose server died (SIGKILL) is abandoned: the next start clears what it left.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(1), 500).unref();
const client = await PGlite.create(copyDir);
const migration = await lastMigration(async (sql) => (await client.query<{ created_at: string }>(sql)).rows);
const sql = await dumpPglite(client);
await client.close();
writeBackupFile(file, sql, { created_at: createdAt, database: 'pglite', migration });
