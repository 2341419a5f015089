import { loadStripe } from '@stripe/stripe-js/pure';
import type { Stripe, StripeElements } from '@stripe/stripe-js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import type { OrderView } from './types.js';
import type * as contract from '../lib/contract.js';

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
    if (!clientSecret) return setProblem('This order can no longer be paid: its hold has ended.');
    let cancelled = false;
    void (async () => {
      try {
        const config = await api<PaymentConfig>('/api/v1/config');
        if (!config.stripe_publishable_key) throw new Error('Card payments are not set up on this Velvet.');
        setTestMode(config.test_mode);
        const s = await loadStripe(config.stripe_publishable_key);
        if (!s) throw new Error('Stripe could not start on this device.');
        if (cancelled) return;
        const els = s.elements({ clientSecret, appearance: { theme: 'night' } });
        els.create('payment').mount(mount.current!);
        setStripe(s);
        setElements(els);
        setState('ready');
      } catch (err) {
        // Typically no connection to Stripe (js.stripe.com), or an ad blocker in the way.
        setProblem(
          `Card payments could not load: ${err instanceof Error ? err.message : errorText(err)} Check the connection and reload the page; your tickets stay held until the timer runs out.`,
        );
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
      setProblem(error.message ?? 'The payment did not go through.');
      setState('ready');
      return;
    }
    setState('confirming');
  };

  return (
    <div class="stack" data-testid="stripe-checkout">
      {testMode && (
        <p class="banner warn">
          <strong>Test mode.</strong> Use Stripe's test card 4242 4242 4242 4242: no money moves.
        </p>
      )}
      <div ref={mount} class="stripe-element" />
      {state === 'loading' && !problem && <p class="muted">Loading the card form…</p>}
      {state === 'confirming' && <p class="banner info">Payment received; confirming your tickets…</p>}
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      {(state === 'ready' || state === 'paying') && (
        <button class="btn primary block" type="button" onClick={() => void pay()} disabled={state === 'paying'}>
          {state === 'paying' ? 'Paying…' : 'Pay now'}
        </button>
      )}
    </div>
  );
}
