import { loadWallets } from './wallet/wallets.js';
import { loadKeys } from './auth/ticket-signer.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open.js';
import { localPayments } from './payments/local.js';
import type { PaymentProvider } from './payments/provider.js';
import type { AppDeps } from './services/deps.js';
import { Metrics } from './metrics/metrics.js';

/** The real provider for the configuration (Stripe's SDK loads only where Stripe is used). */
async function defaultPayments(config: Config): Promise<PaymentProvider> {
  if (config.payments.provider === 'local') return localPayments;
  const { createStripePayments } = await import('./payments/stripe.js');
  return createStripePayments({
    secretKey: config.payments.secretKey,
    apiUrl: config.payments.apiUrl,
    // A call must end well within the refund lease, or a second worker could take the refund over.
    timeoutMs: Math.min(20_000, Math.floor(config.refundLeaseMs / 2)),
  });
}

/** Wires the dependencies every entry point (server, CLI, tests) shares. */
export async function createDeps(
  config: Config,
  opts: { database?: Database; clock?: Clock; payments?: PaymentProvider } = {},
): Promise<AppDeps> {
  // Before the database: a wrong wallet file stops the start at once, naming its setting.
  const wallets = await loadWallets(config);
  const database = opts.database ?? (await openDatabase(config));
  try {
    const keys = await loadKeys(database.db, config.secret);
    return {
      database,
      clock: opts.clock ?? systemClock,
      config,
      keys,
      payments: opts.payments ?? (await defaultPayments(config)),
      metrics: new Metrics(config.metricsToken !== undefined),
      wallets,
    };
  } catch (err) {
    if (!opts.database) await database.close();
    throw err;
  }
}
