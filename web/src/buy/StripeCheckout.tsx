import { loadStripe } from '@stripe/stripe-js/pure';
import type { Stripe, StripeElements } from '@stripe/stripe-js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import type { OrderView } from './types.js';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';

type PaymentConfig = contract.ClientConfig;

/**
 * Card payment with Stripe's Payment Element, for the PaymentIntent the order was placed with.
 * Stripe.js is fetched from Stripe only here (card data never touches Velvet). Once Stripe says
 * the payment went through, the order becomes paid when Stripe's webhook reaches Velvet: the order
 * page keeps looking every few seconds and shows it paid then.
 */
export function StripeCheckout({ order }: { order: OrderView }) {
  const mount = useRef<HTMLDivElement | null>(null);
  const [stripe, setStripe] = useState<Stripe | null>(null);
  const [elements, setElements] = useState<StripeElements | null>(null);
  const [testMode, setTestMode] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'paying' | 'confirming'>('loading');
  const clientSecret = order.payment.provider === 'stripe' ? order.payment.client_secret : null;

  useEffect(() => {
    if (!clientSecret) return setProblem(t('checkout.ended'));
    let cancelled = false;
    void (async () => {
      try {
        const config = await api<PaymentConfig>('/api/v1/config');
        if (!config.stripe_publishable_key) throw new Error(t('checkout.noCards'));
        setTestMode(config.test_mode);
        const s = await loadStripe(config.stripe_publishable_key);
        if (!s) throw new Error(t('checkout.noStripe'));
        if (cancelled) return;
        const els = s.elements({ clientSecret, appearance: { theme: 'night' } });
        els.create('payment').mount(mount.current!);
        setStripe(s);
        setElements(els);
        setState('ready');
      } catch (err) {
        // Typically no connection to Stripe (js.stripe.com), or an ad blocker in the way.
        setProblem(t('checkout.loadFailed', { reason: err instanceof Error ? err.message : errorText(err) }));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [clientSecret]);

  const pay = async () => {
    if (!stripe || !elements) return;
    setState('paying');
    setProblem(null);
    const { error } = await stripe.confirmPayment({
      elements,
      confirmParams: { return_url: location.href },
      redirect: 'if_required',
    });
    if (error) {
      setProblem(error.message ?? t('checkout.failed'));
      setState('ready');
      return;
    }
    setState('confirming');
  };

  return (
    <div class="stack" data-testid="stripe-checkout">
      {testMode && (
        <p class="banner warn">
          <strong>{t('checkout.testMode')}</strong> {t('checkout.testCard')}
        </p>
      )}
      <div ref={mount} class="stripe-element" />
      {state === 'loading' && !problem && <p class="muted">{t('checkout.loadingForm')}</p>}
      {state === 'confirming' && <p class="banner info">{t('checkout.confirming')}</p>}
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      {(state === 'ready' || state === 'paying') && (
        <button class="btn primary block" type="button" onClick={() => void pay()} disabled={state === 'paying'}>
          {state === 'paying' ? t('checkout.paying') : t('checkout.payNow')}
        </button>
      )}
    </div>
  );
}
