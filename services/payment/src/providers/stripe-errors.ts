import Stripe from 'stripe';
import type { DeclineCode, GatewayResult } from './payment-provider.js';

/** Stripe codes that have a DeclineCode of their own; every other card error is `card_declined`. */
const OWN_DECLINE_CODES: ReadonlySet<string> = new Set([
  'insufficient_funds',
  'expired_card',
  'processing_error',
]);

/**
 * The DeclineCode of a card error: the issuer's `decline_code` when it names one of ours
 * (`card_declined` + `insufficient_funds`), else Stripe's `code` (`expired_card`,
 * `processing_error`), else `card_declined` (`incorrect_cvc`, `lost_card`, `authentication_required`, …).
 */
export function declineCodeOf(code: string | undefined, declineCode: string | undefined): DeclineCode {
  for (const candidate of [declineCode, code]) {
    if (candidate !== undefined && OWN_DECLINE_CODES.has(candidate)) return candidate as DeclineCode;
  }
  return 'card_declined';
}

function details(error: Stripe.errors.StripeError): Record<string, unknown> {
  return {
    type: error.rawType ?? null,
    code: error.code ?? null,
    decline_code: error.decline_code ?? null,
    message: error.message,
    param: error.param ?? null,
    payment_intent: error.payment_intent?.id ?? null,
    charge: error.charge ?? null,
    status_code: error.statusCode ?? null,
    request_id: error.requestId ?? null,
  };
}

/**
 * What a failed call means for the payment:
 * - a card error (HTTP 402) is `declined` with its DeclineCode: the issuer refused, no money moved;
 * - an invalid request (HTTP 400/404: a bad amount, a PaymentIntent in the wrong state, an unknown
 *   id) is `declined` with `invalid_request`: Stripe refused before doing anything;
 * - everything else is `unknown`: a connection error or timeout (the request may have been
 *   processed), a 5xx or 409, a 429 still refused after the client's retries, a key Stripe does not
 *   accept (401/403), an idempotency key reused with other parameters. The caller finds out with
 *   `lookup` or a retry under the same idempotency key; it never assumes either way.
 */
export function resultOfStripeError(error: unknown): GatewayResult {
  if (error instanceof Stripe.errors.StripeCardError) {
    return {
      outcome: 'declined',
      declineCode: declineCodeOf(error.code, error.decline_code),
      message: error.message,
      raw: details(error),
    };
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    return {
      outcome: 'declined',
      declineCode: 'invalid_request',
      message: error.message,
      raw: details(error),
    };
  }
  if (error instanceof Stripe.errors.StripeError) {
    const requestId = error.requestId ? ` (request ${error.requestId})` : '';
    return { outcome: 'unknown', message: `${error.type}: ${error.message}${requestId}` };
  }
  return { outcome: 'unknown', message: `Stripe call failed: ${(error as Error)?.message ?? String(error)}` };
}

/** True for Stripe's answer that the object does not exist (404 `resource_missing`). */
export function isResourceMissing(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing';
}
