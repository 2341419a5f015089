import { buildApp, type AppOptions } from './http/app.js';
import { SocketGate } from './http/socket-gate.js';
import { backupsDirOf, startBackupRunner, type BackupRunner } from './backup/backup-runner.js';
import type { AppDeps } from './services/deps.js';
import { startSweeper } from './services/jobs/sweeper.js';
import { createMailTransport } from './mail/transport.js';
import { startMailRunner } from './services/mail/mail-runner.js';
import { startRefundRunner } from './services/refunds/refund-runner.js';

/**
 * Starts the HTTP server and the background jobs; returns a stop function that drains requests,
 * stops the jobs and closes the database (a CHECKPOINT on PGlite), in that order.
 */
export async function startServer(deps: AppDeps, opts: AppOptions = {}) {
  const app = await buildApp(deps, opts);
  const stopSweeper = startSweeper(deps, deps.config.sweepIntervalMs, (m) => app.log.error(m));
  const stopRefunds = startRefundRunner(deps, {
    ratePerSecond: deps.config.refundRatePerSecond,
    leaseMs: deps.config.refundLeaseMs,
    pollMs: Math.min(deps.config.sweepIntervalMs, 1000),
    log: (m) => app.log.warn(m),
  });
  const mailTransport = createMailTransport(deps.config);
  const stopMail = startMailRunner(deps, {
    transport: mailTransport,
    timeZone: deps.config.timeZone,
    pollMs: Math.min(deps.config.sweepIntervalMs, 1000),
    log: (m) => app.log.warn(m),
  });
  const backups = startBackups(deps, (m) => app.log.error(m));
  const limits = deps.config.connections;
  const gate = new SocketGate(app.server, { total: limits.total, perClient: limits.perClient }, { plainHttp: true });
  deps.metrics.gauge('velvet_connections_open', 'Connections open now', () => gate.connections);
  deps.metrics.counterFrom('velvet_connections_refused_total', 'Connections refused at the connection caps', () => gate.refused);
  if (backups) reportBackups(deps, backups);
  const address = await app.listen({ port: deps.config.port, host: deps.config.host });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close();
      await stopSweeper();
      await stopRefunds();
      await stopMail();
      await backups?.stop();
      mailTransport.close();
      await deps.database.close();
    })());
  return { app, address, stop, mailDestination: mailTransport.destination, gate, backups };
}

function reportBackups(deps: AppDeps, backups: BackupRunner): void {
  const s = backups.status;
  deps.metrics.gauge('velvet_backup_age_seconds', 'Seconds since the newest automatic backup was taken (absent: none yet)', () =>
    s.lastSuccessAt ? (Date.now() - s.lastSuccessAt.getTime()) / 1000 : null,
  );
  deps.metrics.gauge('velvet_backup_last_ok', '1 when the last automatic backup succeeded, 0 when it failed (absent: none tried yet)', () =>
    s.lastResult === 'none' ? null : s.lastResult === 'ok' ? 1 : 0,
  );
}

/** The embedded database backs itself up while it serves (backup-runner.ts); PostgreSQL has its own tools. */
function startBackups(deps: AppDeps, log: (msg: string) => void): BackupRunner | null {
  const source = deps.database.source;
  const { intervalMs, keep } = deps.config.backups;
  if (source.kind !== 'pglite' || source.dir === null || intervalMs === null) return null;
  return startBackupRunner(deps.database, { dir: backupsDirOf(source.dir), intervalMs, keep, log });
}

/** Closes cleanly on SIGTERM/SIGINT; a second signal exits at once. */
export function stopOnSignals(stop: () => Promise<void>, log: (msg: string) => void): void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    log(`velvet: ${signal} received, shutting down`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`velvet: shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
