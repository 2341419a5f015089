import Stripe from 'stripe';
import { DomainError } from '../domain/errors.js';

/** Stripe's own default: a signed delivery older than five minutes is treated as a replay. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Checks the `Stripe-Signature` header against the exact bytes received (re-serialised JSON would
 * not match) and the signature's age against `now`, then parses the event. Anything wrong is
 * `invalid_signature`, before any state is read or written.
 */
export function verifyStripeWebhook(
  rawBody: Buffer | undefined,
  signature: string | undefined,
  secret: string,
  now: Date,
): Stripe.Event {
  if (!rawBody || rawBody.length === 0) throw invalid('The webhook has no body');
  if (!signature) throw invalid('The Stripe-Signature header is missing');
  try {
    return Stripe.webhooks.constructEvent(
      rawBody,
      signature,
      secret,
      WEBHOOK_TOLERANCE_SECONDS,
      undefined,
      now.getTime(),
    );
  } catch (err) {
    throw invalid(`The webhook signature does not verify: ${(err as Error).message}`);
  }
}

const invalid = (message: string) => new DomainError('invalid_signature', message);
