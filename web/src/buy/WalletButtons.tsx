import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';

type Wallets = contract.ClientConfig['wallets'];

/** Which wallets this Velvet offers (GET /config), asked once per page load. */
let offered: Promise<Wallets> | null = null;
const wallets = () =>
  (offered ??= api<{ wallets: Wallets }>('/api/v1/config').then(
    (c) => c.wallets,
    () => ({ apple: false, google: false }),
  ));

/**
 * "Add to Apple Wallet" and "Save to Google Wallet" for one ticket, each shown only when the owner
 * set that wallet up. Apple's is a download of the signed pass (the token rides in the query, as
 * for a QR image: a link cannot send headers; logs redact it); Google's link is made on demand.
 */
export function WalletButtons({ ticketId, token }: { ticketId: string; token: string }) {
  const [available, setAvailable] = useState<Wallets | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void wallets().then(setAvailable), []);
  if (!available || (!available.apple && !available.google)) return null;

  const saveToGoogle = async () => {
    setError(null);
    try {
      const { save_url } = await api<{ save_url: string }>(`/api/v1/tickets/${ticketId}/wallet/google`, {
        token,
      });
      location.assign(save_url);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <div class="row wallet no-print" data-testid="wallet-buttons">
      {available.apple && (
        <a
          class="btn ghost small"
          href={`/api/v1/tickets/${ticketId}/wallet.pkpass?token=${encodeURIComponent(token)}`}
          download="ticket.pkpass"
        >
          {t('mail.wallet.apple')}
        </a>
      )}
      {available.google && (
        <button class="btn ghost small" type="button" onClick={() => void saveToGoogle()}>
          {t('mail.wallet.google')}
        </button>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
