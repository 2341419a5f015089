import Stripe from 'stripe';
import { PaymentProviderError, type PaymentProvider } from './provider.js';

export interface StripeSettings {
  secretKey: string;
  /** A non-default API host (a local Stripe-compatible fake in tests), e.g. http://127.0.0.1:12111. */
  apiUrl?: string | undefined;
  /** Per-request timeout; keep it well under the refund worker's lease. */
  timeoutMs?: number;
}

/** The official SDK, pointed at `apiUrl` when one is given. */
export function stripeClient(settings: StripeSettings): Stripe {
  const target = settings.apiUrl ? new URL(settings.apiUrl) : undefined;
  return new Stripe(settings.secretKey, {
    ...(target
      ? {
          host: target.hostname,
          port: target.port || (target.protocol === 'https:' ? 443 : 80),
          protocol: target.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
    // Retries belong to the refund worker (backoff, rate limit, durable attempts), not the SDK.
    maxNetworkRetries: 0,
    timeout: settings.timeoutMs ?? 20_000,
  });
}

/**
 * Stripe behind the PaymentProvider interface. Every call carries an idempotency key derived from
 * our own ids, so a repeated call (after a timeout, a crash, a second worker) is answered with the
 * first call's result instead of moving money again.
 */
export function createStripePayments(settings: StripeSettings): PaymentProvider {
  const stripe = stripeClient(settings);
  return {
    name: 'stripe',
    async createPayment({ orderId, amountCents, currency, email }) {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: amountCents,
            currency: currency.toLowerCase(),
            receipt_email: email,
            metadata: { order_id: orderId },
            automatic_payment_methods: { enabled: true },
          },
          { idempotencyKey: `velvet-order-${orderId}` },
        );
        return { providerPaymentId: intent.id, clientSecret: intent.client_secret };
      } catch (err) {
        throw toProviderError(err);
      }
    },
    async refund({ providerPaymentId, amountCents, idempotencyKey }) {
      try {
        const refund = await stripe.refunds.create(
          { payment_intent: providerPaymentId, amount: amountCents, metadata: { velvet_key: idempotencyKey } },
          { idempotencyKey },
        );
        return { providerRefundId: refund.id };
      } catch (err) {
        const mapped = toProviderError(err);
        if (mapped.providerCode !== 'charge_already_refunded') throw mapped;
        // Paid back already (by hand, or by a refund we lost track of): that is success, and the
        // existing refund's id is the one to record.
        try {
          const existing = await stripe.refunds.list({ payment_intent: providerPaymentId, limit: 1 });
          const id = existing.data[0]?.id ?? `already_refunded:${providerPaymentId}`;
          return { providerRefundId: id, alreadyRefunded: true };
        } catch (listErr) {
          throw toProviderError(listErr);
        }
      }
    },
    async findRefund({ providerPaymentId, idempotencyKey }) {
      try {
        // Our key rides in the refund's metadata; a payment has at most a handful of refunds.
        for await (const r of stripe.refunds.list({ payment_intent: providerPaymentId, limit: 100 })) {
          if (r.metadata?.velvet_key === idempotencyKey && r.status !== 'failed' && r.status !== 'canceled')
            return { providerRefundId: r.id };
        }
        return null;
      } catch (err) {
        throw toProviderError(err);
      }
    },
  };
}

/** Rate limits, Stripe-side errors, conflicts on a key in flight and network failures are worth retrying. */
export function toProviderError(err: unknown): PaymentProviderError {
  if (!(err instanceof Stripe.errors.StripeError)) {
    return new PaymentProviderError(`stripe: ${(err as Error)?.message ?? String(err)}`, true);
  }
  const status = err.statusCode;
  const retryable =
    err instanceof Stripe.errors.StripeConnectionError ||
    err instanceof Stripe.errors.StripeRateLimitError ||
    err instanceof Stripe.errors.StripeAPIError ||
    status === undefined ||
    status === 409 ||
    status === 429 ||
    status >= 500;
  const label = [err.type, err.code, status].filter((x) => x !== undefined).join(' ');
  return new PaymentProviderError(`stripe ${label}: ${err.message}`, retryable, err.code, status);
}
