export interface PaymentRequest {
  orderId: string;
  amountCents: number;
  currency: string;
  email: string;
}

export interface RefundRequest {
  providerPaymentId: string;
  amountCents: number;
  /** Fixed per refund row: a retried call can never refund twice. */
  idempotencyKey: string;
}

export interface RefundResult {
  providerRefundId: string;
  /** The payment had already been refunded in full (e.g. by hand in the provider's dashboard). */
  alreadyRefunded?: boolean;
}

/**
 * Where money moves. Calls go out only after the order's hold is committed, never inside a
 * transaction: a slow provider must not hold database locks.
 */
export interface PaymentProvider {
  readonly name: 'local' | 'stripe';
  createPayment(req: PaymentRequest): Promise<{ providerPaymentId: string; clientSecret: string | null }>;
  refund(req: RefundRequest): Promise<RefundResult>;
}

/** A provider's refusal; `retryable` for rate limits, server errors and network failures. */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly providerCode?: string,
  ) {
    super(message);
    this.name = 'PaymentProviderError';
  }
}
