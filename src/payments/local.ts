import type { PaymentProvider } from './provider.js';

/**
 * Test mode: no money moves. Orders are paid through `POST /orders/:id/pay-local`, and refunds
 * succeed at once with an id derived from the idempotency key (so a repeat answers the same).
 */
export const localPayments: PaymentProvider = {
  name: 'local',
  createPayment: async ({ orderId }) => ({ providerPaymentId: `local_${orderId}`, clientSecret: null }),
  refund: async ({ idempotencyKey }) => ({ providerRefundId: `local_re_${idempotencyKey}` }),
  // Local refunds never fail, so there is never one to look for.
  findRefund: async () => null,
};
