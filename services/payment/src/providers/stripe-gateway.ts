import Stripe from 'stripe';
import type {
  AuthorizeAtGateway,
  CaptureAtGateway,
  GatewayEvent,
  GatewayPaymentView,
  GatewayResult,
  LookupAtGateway,
  PaymentProvider,
  RefundAtGateway,
  VoidAtGateway,
} from './payment-provider.js';
import { fromStripeAmount, toStripeAmount } from './stripe-amounts.js';
import { declineCodeOf, isResourceMissing, resultOfStripeError } from './stripe-errors.js';
import type { StripeSettings } from './stripe-settings.js';
import { verifiedStripeEvent } from './stripe-webhooks.js';

/** The refund reasons Stripe knows; any other reason of ours travels in the refund's metadata only. */
const STRIPE_REFUND_REASONS: ReadonlySet<string> = new Set([
  'duplicate',
  'fraudulent',
  'requested_by_customer',
]);

/** Our amount of a Stripe amount Stripe answered for a payment we made; a bug if not whole. */
function ours(amount: number, currency: string): number {
  const converted = fromStripeAmount(amount, currency);
  if (converted === null)
    throw new Error(`Stripe answered ${amount} ${currency}, not a whole number of minor units`);
  return converted;
}

/** A Stripe object as the `raw` of a result: its JSON fields, without the SDK's response details. */
function rawOf(object: object): Record<string, unknown> {
  const { lastResponse: _lastResponse, ...fields } = object as Record<string, unknown>;
  return fields;
}

function chargeIdOf(intent: Stripe.PaymentIntent): string | null {
  const charge = intent.latest_charge;
  return typeof charge === 'string' ? charge : (charge?.id ?? null);
}

/** Refused before any request: Stripe could not be sent this amount of this currency. */
function refusedHere(problem: string): GatewayResult {
  return {
    outcome: 'declined',
    declineCode: 'invalid_request',
    message: problem,
    raw: { refused_before_sending: true },
  };
}

function unexpected(intent: Stripe.PaymentIntent, expected: string): GatewayResult {
  return {
    outcome: 'unknown',
    message: `Stripe answered PaymentIntent ${intent.id} with status ${intent.status}, not ${expected}; look it up`,
  };
}

/** Statuses of a PaymentIntent that holds no money and that this adapter never takes further. */
const NOTHING_HELD: ReadonlySet<string> = new Set([
  'requires_payment_method',
  'requires_action',
  'requires_confirmation',
]);

/**
 * The customer's refunds on a charge. Stripe records the release of an authorisation as a refund
 * of the charge too (the remainder of a partial capture, the whole of a voided one), so that part
 * of `amount_refunded` is taken off: a charge of 1000 captured for 600 and refunded 100 shows
 * `amount_refunded` 500 and refunds 100.
 */
function customerRefunds(charge: Stripe.Charge): number {
  const released = charge.amount - charge.amount_captured;
  return Math.max(0, charge.amount_refunded - released);
}

/** How much a PaymentIntent matters for lookup: the one that moved money first, then the newest. */
function rank(intent: Stripe.PaymentIntent): number {
  const order = ['succeeded', 'requires_capture', 'processing', 'canceled'];
  const position = order.indexOf(intent.status);
  return position === -1 ? order.length : position;
}

/**
 * The `stripe` gateway: PaymentIntents with manual capture (https://docs.stripe.com/api/payment_intents).
 *
 * - authorize: create and confirm a card PaymentIntent with `capture_method=manual`, our payment
 *   reference in `metadata[payment_reference]`; a card that needs the customer's authentication
 *   (3-D Secure) fails at once (`error_on_requires_action`): this flow has no customer to ask.
 * - capture: `amount_to_capture` (the rest of the authorisation is released);
 * - void: cancel the PaymentIntent; refund: a refund of `amount` on the PaymentIntent.
 * - Every call carries our idempotency key as Stripe's `Idempotency-Key`: Stripe answers a repeat
 *   with the saved first answer (errors included) for at least 24 hours. Stripe's keys are
 *   account-wide, so each operation needs its own key.
 * - Amounts are converted where Stripe's minor unit differs from ISO 4217 (stripe-amounts.ts).
 */
export class StripeGateway implements PaymentProvider {
  readonly name = 'stripe';

  constructor(
    private readonly stripe: Stripe,
    private readonly webhookSecret: string,
  ) {}

  async authorize(request: AuthorizeAtGateway): Promise<GatewayResult> {
    const currency = request.currency.toUpperCase();
    const amount = toStripeAmount(request.amountMinor, currency);
    if (!amount.ok) return refusedHere(amount.problem);
    try {
      const paymentMethod = await this.paymentMethodOf(request.paymentToken, request.idempotencyKey);
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: amount.amount,
          currency: currency.toLowerCase(),
          capture_method: 'manual',
          confirm: true,
          payment_method: paymentMethod,
          allowed_payment_method_types: ['card'],
          error_on_requires_action: true,
          metadata: { payment_reference: request.reference },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      if (intent.status === 'requires_capture') {
        return {
          outcome: 'succeeded',
          gatewayPaymentId: intent.id,
          gatewayOperationId: chargeIdOf(intent) ?? intent.id,
          amountMinor: ours(intent.amount_capturable, intent.currency),
          raw: rawOf(intent),
        };
      }
      if (NOTHING_HELD.has(intent.status)) {
        const error = intent.last_payment_error;
        return {
          outcome: 'declined',
          declineCode: declineCodeOf(error?.code, error?.decline_code),
          message: error?.message ?? `Stripe left the payment in ${intent.status}`,
          raw: rawOf(intent),
        };
      }
      return unexpected(intent, 'requires_capture');
    } catch (error) {
      return resultOfStripeError(error);
    }
  }

  /**
   * A PaymentMethod id (`pm_…`, or a saved card `card_…`) is used as it is. A one-time card token
   * (`tok_…`) is first turned into a PaymentMethod (Stripe takes tokens only there), under a key
   * derived from ours so that a retry reuses the same PaymentMethod.
   */
  private async paymentMethodOf(token: string, idempotencyKey: string): Promise<string> {
    if (!token.startsWith('tok_')) return token;
    const method = await this.stripe.paymentMethods.create(
      { type: 'card', card: { token } },
      { idempotencyKey: `${idempotencyKey}:payment-method` },
    );
    return method.id;
  }

  async capture(request: CaptureAtGateway): Promise<GatewayResult> {
    const amount = toStripeAmount(request.amountMinor, request.currency.toUpperCase());
    if (!amount.ok) return refusedHere(amount.problem);
    try {
      const intent = await this.stripe.paymentIntents.capture(
        request.gatewayPaymentId,
        { amount_to_capture: amount.amount },
        { idempotencyKey: request.idempotencyKey },
      );
      if (intent.status !== 'succeeded') return unexpected(intent, 'succeeded');
      return {
        outcome: 'succeeded',
        gatewayPaymentId: intent.id,
        gatewayOperationId: chargeIdOf(intent) ?? intent.id,
        amountMinor: ours(intent.amount_received, intent.currency),
        raw: rawOf(intent),
      };
    } catch (error) {
      return resultOfStripeError(error);
    }
  }

  async void(request: VoidAtGateway): Promise<GatewayResult> {
    try {
      const intent = await this.stripe.paymentIntents.cancel(
        request.gatewayPaymentId,
        {},
        { idempotencyKey: request.idempotencyKey },
      );
      if (intent.status !== 'canceled') return unexpected(intent, 'canceled');
      return {
        outcome: 'succeeded',
        gatewayPaymentId: intent.id,
        gatewayOperationId: intent.id,
        amountMinor: ours(intent.amount, intent.currency),
        raw: rawOf(intent),
      };
    } catch (error) {
      return resultOfStripeError(error);
    }
  }

  /**
   * A refund Stripe accepted as `pending` counts as done: Stripe has committed to it, and if the
   * card network later refuses it, `refund.failed` arrives as a webhook.
   */
  async refund(request: RefundAtGateway): Promise<GatewayResult> {
    const amount = toStripeAmount(request.amountMinor, request.currency.toUpperCase());
    if (!amount.ok) return refusedHere(amount.problem);
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: request.gatewayPaymentId,
          amount: amount.amount,
          ...(STRIPE_REFUND_REASONS.has(request.reason) ? { reason: request.reason } : {}),
          ...(request.reason ? { metadata: { refund_reason: request.reason.slice(0, 500) } } : {}),
        },
        { idempotencyKey: request.idempotencyKey },
      );
      if (refund.status === 'succeeded' || refund.status === 'pending') {
        return {
          outcome: 'succeeded',
          gatewayPaymentId: request.gatewayPaymentId,
          gatewayOperationId: refund.id,
          amountMinor: ours(refund.amount, refund.currency),
          raw: rawOf(refund),
        };
      }
      if (refund.status === 'failed' || refund.status === 'canceled') {
        const failure = refund.failure_reason ?? undefined;
        return {
          outcome: 'declined',
          declineCode:
            failure === 'expired_or_canceled_card' ? 'expired_card' : declineCodeOf(failure, undefined),
          message: `Stripe refused the refund (${refund.status}${failure ? `: ${failure}` : ''})`,
          raw: rawOf(refund),
        };
      }
      return {
        outcome: 'unknown',
        message: `Stripe answered refund ${refund.id} with status ${refund.status}`,
      };
    } catch (error) {
      return resultOfStripeError(error);
    }
  }

  /**
   * By the gateway id when we have it (a retrieve, always current); else by our reference through
   * Stripe's search, which is eventually consistent: a PaymentIntent is searchable usually within
   * a minute of its creation, up to an hour during Stripe's incidents. A null from search soon
   * after a lost authorise answer therefore proves nothing; retrying the authorise with the same
   * idempotency key does (Stripe answers the first result). Throws when Stripe cannot be asked or
   * the PaymentIntent is still `processing`: never a guess.
   */
  async lookup(request: LookupAtGateway): Promise<GatewayPaymentView | null> {
    let intent: Stripe.PaymentIntent | null;
    try {
      intent = request.gatewayPaymentId
        ? await this.retrieve(request.gatewayPaymentId)
        : await this.searchByReference(request.reference);
    } catch (error) {
      throw new Error(`Stripe lookup of payment ${request.reference} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return intent ? this.viewOf(intent, request.reference) : null;
  }

  private async retrieve(id: string): Promise<Stripe.PaymentIntent | null> {
    try {
      return await this.stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] });
    } catch (error) {
      if (isResourceMissing(error)) return null;
      throw error;
    }
  }

  private async searchByReference(reference: string): Promise<Stripe.PaymentIntent | null> {
    const quoted = reference.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const found = await this.stripe.paymentIntents.search({
      query: `metadata['payment_reference']:'${quoted}'`,
      expand: ['data.latest_charge'],
      limit: 100,
    });
    const intents = found.data.filter((intent) => intent.metadata?.payment_reference === reference);
    intents.sort((a, b) => rank(a) - rank(b) || b.created - a.created);
    return intents[0] ?? null;
  }

  private viewOf(intent: Stripe.PaymentIntent, reference: string): GatewayPaymentView {
    const status = (): GatewayPaymentView['status'] => {
      if (intent.status === 'requires_capture') return 'authorized';
      if (intent.status === 'succeeded') return 'captured';
      if (intent.status === 'canceled') return 'voided';
      if (NOTHING_HELD.has(intent.status)) return 'declined';
      throw new Error(`PaymentIntent ${intent.id} is ${intent.status}: Stripe has not settled it yet`);
    };
    // The charge of the authorisation (expanded): `succeeded` once the card was authorised, even
    // before capture; `failed` after a decline.
    const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
    const authorized = charge?.status === 'succeeded' ? charge : null;
    return {
      gatewayPaymentId: intent.id,
      reference: intent.metadata?.payment_reference ?? reference,
      status: status(),
      currency: intent.currency.toUpperCase(),
      authorizedMinor: authorized ? ours(authorized.amount, intent.currency) : 0,
      capturedMinor: ours(intent.amount_received, intent.currency),
      refundedMinor: authorized ? ours(customerRefunds(authorized), intent.currency) : 0,
      raw: rawOf(intent),
    };
  }

  verifyWebhook(rawBody: Uint8Array, signatureHeader: string): GatewayEvent {
    return verifiedStripeEvent(rawBody, signatureHeader, this.webhookSecret);
  }
}

/** The `stripe` PaymentProvider the payment module builds when PAYMENT_PROVIDER=stripe. */
export function createStripeGateway(settings: StripeSettings): StripeGateway {
  const client = new Stripe(settings.secretKey, {
    maxNetworkRetries: settings.maxNetworkRetries,
    timeout: settings.timeoutMs,
    telemetry: false,
    ...(settings.api
      ? { protocol: settings.api.protocol, host: settings.api.host, port: settings.api.port }
      : {}),
  });
  return new StripeGateway(client, settings.webhookSecret);
}
