import type { Keys } from '../auth/ticket-signer.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Metrics } from '../metrics/metrics.js';
import type { PaymentProvider } from '../payments/provider.js';
import type { Wallets } from '../wallet/wallets.js';

/** Everything a use case may need; each one declares the slice it actually takes. */
export interface AppDeps {
  database: Database;
  clock: Clock;
  config: Config;
  keys: Keys;
  payments: PaymentProvider;
  metrics: Metrics;
  /** Wallet passes (Apple, Google), each null unless configured. */
  wallets: Wallets;
}
