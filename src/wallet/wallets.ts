import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import type { ApplePasses } from './apple-pass.js';
import { GoogleWallet } from './google-wallet.js';

/** The wallets this installation can add tickets to: each only when configured (README "Wallet passes"). */
export interface Wallets {
  apple: ApplePasses | null;
  google: GoogleWallet | null;
}

const ICON = fileURLToPath(new URL('../../web/public/icons/icon-512.png', import.meta.url));

/** Loads and checks each configured wallet's files at start (a wrong one stops the process, naming it). */
export async function loadWallets(config: Pick<Config, 'wallet' | 'publicUrl'>): Promise<Wallets> {
  const w = config.wallet;
  // passkit-generator loads only where Apple passes are configured.
  const apple = w.apple ? (await import('./apple-pass.js')).ApplePasses : null;
  return {
    apple: apple && w.apple ? await apple.load({ ...w.apple, organizationName: w.organizationName }, ICON) : null,
    google: w.google ? await GoogleWallet.load(w.google, w.organizationName, config.publicUrl) : null,
  };
}
