import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { StripeCheckout } from './StripeCheckout.js';
import type { OrderView } from './types.js';
import { money } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { Slotted } from '../ui/Slotted.js';

/** mm:ss left on the hold, ticking; 0 once it lapsed. */
function useCountdown(until: string): number {
  const [left, setLeft] = useState(() => Math.max(0, Date.parse(until) - Date.now()));
  useEffect(() => {
    const tick = setInterval(() => setLeft(Math.max(0, Date.parse(until) - Date.now())), 1000);
    return () => clearInterval(tick);
  }, [until]);
  return left;
}

/**
 * A pending order: what is held, for how long, and how to pay. With the `local` provider (no
 * money moves) a clearly labelled test-mode button stands where a card form would.
 */
export function Checkout({
  order,
  token,
  onPaid,
}: {
  order: OrderView;
  token: string;
  onPaid: (o: OrderView) => void;
}) {
  const left = useCountdown(order.expires_at);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mm = Math.floor(left / 60000);
  const ss = String(Math.floor((left % 60000) / 1000)).padStart(2, '0');

  const payLocal = async () => {
    setBusy(true);
    setError(null);
    try {
      onPaid(
        await api<OrderView>(`/api/v1/orders/${order.order_id}/pay-local`, {
          method: 'POST',
          token,
        }),
      );
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <section class="card stack checkout" aria-labelledby="checkout-title">
      <h2 id="checkout-title">{t('checkout.pay', { amount: money(order.amount_cents, order.currency) })}</h2>
      {left > 0 ? (
        <p role="timer" aria-live="off">
          <Slotted message="checkout.heldFor" slot="time" values={{ table: order.reservation ? 'yes' : 'no' }}>
            <strong data-testid="countdown">{`${mm}:${ss}`}</strong>
          </Slotted>
        </p>
      ) : (
        <p class="banner warn">{t('checkout.lapsed')}</p>
      )}
      {order.payment.provider === 'local' ? (
        <>
          <p class="banner warn">
            <strong>{t('checkout.testMode')}</strong> {t('checkout.testModeLocal')}
          </p>
          <button class="btn primary block" type="button" onClick={payLocal} disabled={busy}>
            {busy ? t('checkout.paying') : t('checkout.payTest')}
          </button>
        </>
      ) : (
        <StripeCheckout order={order} />
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
