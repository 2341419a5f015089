import { buildApp, type AppOptions } from './http/app.js';
import { startListeners, type Listeners } from './http/listeners.js';
import { CertificateFiles } from './tls/certificate-files.js';
import type { CertificateSource } from './tls/certificate-source.js';
import { daysLeft } from './tls/certificate.js';
import { backupsDirOf, startBackupRunner, type BackupRunner } from './backup/backup-runner.js';
import type { AppDeps } from './services/deps.js';
import { startSweeper } from './services/jobs/sweeper.js';
import { createMailTransport } from './mail/transport.js';
import { startMailRunner } from './services/mail/mail-runner.js';
import { startPushRunner } from './services/push/push-runner.js';
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
  const stopPush = startPushRunner(deps, {
    pollMs: Math.min(deps.config.sweepIntervalMs, 1000),
    log: (m) => app.log.warn(m),
  });
  const backups = startBackups(deps, (m) => app.log.error(m));
  if (backups) reportBackups(deps, backups);
  const certificates = await certificateSource(deps, (m) => console.error(m));
  const listeners = await startListeners(app, deps.config, certificates, (m) => console.error(m));
  certificates?.watch?.();
  reportListeners(deps, listeners, certificates);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Fastify ends the live streams and refuses new requests; the listeners then close idle
      // connections and let the requests in flight finish, before the jobs and the database stop.
      await app.close();
      await listeners.close();
      await certificates?.stop();
      await stopSweeper();
      await stopRefunds();
      await stopMail();
      await stopPush();
      await backups?.stop();
      mailTransport.close();
      await deps.database.close();
    })());
  return {
    app,
    get address() {
      return listeners.address;
    },
    listeners,
    certificates,
    stop,
    mailDestination: mailTransport.destination,
    backups,
  };
}

/** Where HTTPS gets its certificate: none (plain HTTP), ACME, or the owner's files. */
async function certificateSource(deps: AppDeps, log: (msg: string) => void): Promise<CertificateSource | null> {
  const tls = deps.config.tls;
  if (tls.mode === 'files') return new CertificateFiles(tls.certFile, tls.keyFile, log);
  if (tls.mode !== 'acme') return null;
  // acme-client (and its crypto) loads only where the certificate comes from ACME.
  const { AcmeManager } = await import('./tls/acme-manager.js');
  const manager = new AcmeManager({ database: deps.database, clock: deps.clock }, tls, log);
  await manager.loadStored();
  return manager;
}

function reportListeners(deps: AppDeps, listeners: Listeners, certificates: CertificateSource | null): void {
  deps.metrics.gauge('velvet_connections_open', 'Connections open now', () =>
    listeners.gates.reduce((n, g) => n + g.connections, 0),
  );
  deps.metrics.counterFrom('velvet_connections_refused_total', 'Connections refused at the connection caps', () =>
    listeners.gates.reduce((n, g) => n + g.refused, 0),
  );
  if (certificates) {
    deps.metrics.gauge(
      'velvet_certificate_days_left',
      'Days until the served certificate expires (absent: none yet)',
      () => {
        const c = certificates.current();
        return c ? daysLeft(c, deps.clock.now()) : null;
      },
    );
  }
}

function reportBackups(deps: AppDeps, backups: BackupRunner): void {
  const s = backups.status;
  deps.metrics.gauge(
    'velvet_backup_age_seconds',
    'Seconds since the newest automatic backup was taken (absent: none yet)',
    () => (s.lastSuccessAt ? (Date.now() - s.lastSuccessAt.getTime()) / 1000 : null),
  );
  deps.metrics.gauge(
    'velvet_backup_last_ok',
    '1 when the last automatic backup succeeded, 0 when it failed (absent: none tried yet)',
    () => (s.lastResult === 'none' ? null : s.lastResult === 'ok' ? 1 : 0),
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
