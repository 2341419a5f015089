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
  /**
   * The refund this key made, if the provider has one. Stripe replays a stored 500 for an
   * idempotency key, so a refund made but answered 500 would otherwise look failed forever.
   */
  findRefund(req: RefundRequest): Promise<RefundResult | null>;
}

/** A provider's refusal; `retryable` for rate limits, server errors and network failures. */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly providerCode?: string,
    /** The provider's HTTP status, when it answered at all. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PaymentProviderError';
  }
}
