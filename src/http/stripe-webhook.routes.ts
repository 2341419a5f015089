import { notFound } from '../domain/errors.js';
import type { AppDeps } from '../services/deps.js';
import { handleStripeEvent } from '../services/payments/stripe-webhook.service.js';
import type { ZodApp } from './routes.types.js';
import { ALWAYS, errors, webhookReceived } from './responses.js';
import { PUBLIC } from './security.js';

/**
 * `POST /api/v1/webhooks/stripe`. The signature covers the exact bytes Stripe sent, so this route
 * lives in its own plugin scope whose only body parser keeps the raw buffer; the rest of the API
 * keeps parsing JSON as usual.
 */
export function stripeWebhookRoutes(app: ZodApp, deps: AppDeps): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.post(
      '/api/v1/webhooks/stripe',
      {
        bodyLimit: 1024 * 1024,
        schema: {
          tags: ['buying'],
          summary: 'Stripe webhook (Stripe-signed): payment_intent.succeeded pays the order; each event applied once',
          security: PUBLIC,
          response: { 200: webhookReceived, ...errors(400, 404, ...ALWAYS) },
        },
      },
      async (request) => {
        const payments = deps.config.payments;
        if (payments.provider !== 'stripe') throw notFound('Stripe webhook endpoint (PAYMENT_PROVIDER is not stripe)');
        const header = request.headers['stripe-signature'];
        // Stripe's SDK (its signature check) loads only where Stripe is the provider.
        const { verifyStripeWebhook } = await import('../payments/stripe-webhook.js');
        const event = verifyStripeWebhook(
          Buffer.isBuffer(request.body) ? request.body : undefined,
          typeof header === 'string' ? header : undefined,
          payments.webhookSecret,
          deps.clock.now(),
        );
        const result = await handleStripeEvent(deps, event);
        request.log.info({ stripeEvent: event.id, type: event.type, ...result }, 'stripe webhook');
        return { received: true, event_id: event.id, ...result };
      },
    );
  });
}
