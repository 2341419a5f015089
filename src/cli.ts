import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError } from './db/dir-lock.js';
import { backupCommand, moveToPostgresCommand, restoreCommand } from './backup/cli-commands.js';
import { BackupFileError } from './backup/backup-file.js';
import { DumpError } from './backup/dumps.js';
import { RestoreRefused } from './backup/restore.js';
import { DomainError } from './domain/errors.js';
import { withoutParams } from './http/logging.js';

// The server, its dependencies and the web build are imported by the commands that use them: a
// one-off command (user add, migrate) starts in about half the time without them.

const program = new Command('velvet').description('Tickets, VIP tables and the door for nightlife events');

async function serve(withDemo: boolean): Promise<void> {
  const config = loadConfig();
  const [{ ensureWebBuild }, { createDeps }, { DEMO_OWNER, DEMO_STAFF, demoLinks, ensureDemo }, server, logging] =
    await Promise.all([
      import('./web/web-build.js'),
      import('./runtime.js'),
      import('./demo.js'),
      import('./server.js'),
      import('./http/logging.js'),
    ]);
  const { startServer, stopOnSignals } = server;
  const { loggerOptions } = logging;
  const webRoot = await ensureWebBuild((m) => console.log(m));
  const deps = await createDeps(config);
  const demo = withDemo ? await ensureDemo(deps) : undefined;
  const { address, stop, mailDestination } = await startServer(deps, {
    logger: loggerOptions(process.env.LOG_LEVEL ?? 'warn'),
    webRoot,
  });
  stopOnSignals(stop, (m) => console.error(m));
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded database in ${config.dataDir}`;
  const mail = config.mail.smtpUrl ? `mail via ${mailDestination}` : `mail written as .eml files to ${mailDestination}`;
  console.log(
    `Velvet is listening on ${address} — ${where}, payments: ${deps.payments.name}${deps.payments.name === 'local' ? ' (TEST MODE, no money moves)' : ''}, ${mail}`,
  );
  if (demo) {
    const links = demoLinks(demo, deps);
    console.log(`
Demo data ready — open ${config.publicUrl}
  owner login    ${DEMO_OWNER.email} / ${DEMO_OWNER.password}   ${links.admin}
  staff login    ${DEMO_STAFF.email} / ${DEMO_STAFF.password}   ${links.door}
  live floor     ${links.floor}
  buy tickets    ${links.buy}
  a VIP order    ${links.vipOrder}
`);
  }
}

program
  .command('serve')
  .description('Run the HTTP server and background jobs')
  .action(() => serve(false));
program
  .command('demo')
  .description('Seed demo data once, then serve (what `npm start` runs)')
  .action(() => serve(true));

program
  .command('build-web')
  .description('Build the web app into dist/web if its sources changed (npm ci and serve do this themselves)')
  .action(async () => {
    const { ensureWebBuild } = await import('./web/web-build.js');
    console.log(`Web app ready in ${await ensureWebBuild((m) => console.log(m))}`);
  });

program
  .command('migrate')
  .description('Apply database migrations and exit (the server also migrates on start)')
  .action(async () => {
    const { openDatabase } = await import('./db/open.js');
    const database = await openDatabase(loadConfig());
    await database.close();
    console.log(`Migrations applied (${database.kind}).`);
  });

program
  .command('backup')
  .description('Write a consistent, compressed backup of the database (embedded or PostgreSQL) to FILE')
  .argument('[file]', 'where to write it (default: velvet-<time>.velvet-backup here)')
  .action(async (file?: string) => console.log(await backupCommand(loadConfig(), file)));

program
  .command('restore')
  .description(
    'Load a backup into an empty database (DATABASE_URL, or a new VELVET_DATA_DIR); refuses one that holds data',
  )
  .argument('<file>', 'a .velvet-backup file')
  .action(async (file: string) => console.log(await restoreCommand(loadConfig(), file)));

program
  .command('move-to-postgres')
  .description('Move the embedded database, whole, into an empty PostgreSQL database (Velvet stopped)')
  .argument('<database-url>', 'postgres://user@host:5432/database (created and empty)')
  .action(async (url: string) => console.log(await moveToPostgresCommand(loadConfig(), url)));

const user = program.command('user').description('Manage owner and staff accounts');
user
  .command('add')
  .description('Create an account')
  .requiredOption('--email <email>', 'login email')
  .requiredOption('--password <password>', 'at least 8 characters')
  .addOption(new Option('--role <role>', 'what the account may do').choices(['owner', 'staff']).makeOptionMandatory())
  .action(async (opts: { email: string; password: string; role: 'owner' | 'staff' }) => {
    const [{ openDatabase }, { addUser }] = await Promise.all([
      import('./db/open.js'),
      import('./services/accounts/accounts.service.js'),
    ]);
    const database = await openDatabase(loadConfig());
    try {
      const created = await addUser({ database }, opts);
      console.log(`Created ${created.role} account ${created.email}`);
    } finally {
      await database.close();
    }
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`velvet: ${explain(err)}`);
  process.exit(1);
});

/** One line a person can act on; never a stack with SQL and values (a password hash, e-mails). */
function explain(err: unknown): string {
  if (
    [DataDirLockedError, DomainError, ConfigError, BackupFileError, RestoreRefused, DumpError].some(
      (kind) => err instanceof kind,
    )
  )
    return (err as Error).message;
  const e = err as { code?: string; port?: number; address?: string };
  if (e.code === 'EADDRINUSE')
    return `port ${e.port ?? ''} on ${e.address ?? 'this machine'} is already in use: stop the other process, or set PORT to another port`.replace(
      'port  on',
      'the port on',
    );
  if (e.code === 'EACCES' && e.port !== undefined) {
    return `not allowed to listen on port ${e.port}: ports below 1024 need a privilege. Grant it to Node.js once (sudo setcap 'cap_net_bind_service=+ep' "$(readlink -f "$(command -v node)")"), or use ports above 1023 (PORT, VELVET_HTTPS_PORT) behind a port redirect`;
  }
  return `${withoutParams((err as Error)?.message ?? String(err))} (set LOG_LEVEL=debug for details)`;
}
