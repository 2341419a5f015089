/**
 * The one idempotency key of an order's refund. Fixed per order (an order has at most one refund
 * row), so every attempt by every worker in every process asks the provider for the same refund.
 */
export const refundIdempotencyKey = (orderId: string) => `velvet-refund-${orderId}`;
