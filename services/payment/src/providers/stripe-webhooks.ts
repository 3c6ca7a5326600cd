import Stripe from 'stripe';
import { WebhookSignatureError, type GatewayEvent } from './payment-provider.js';
import { fromStripeAmount } from './stripe-amounts.js';

/** Seconds a signature's timestamp may be away from now: Stripe's own default, against replays. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

type EventObject = Record<string, unknown>;
type Mapped = Pick<GatewayEvent, 'type' | 'gatewayPaymentId' | 'reference' | 'amountMinor'>;

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** An id field that may be expanded into its object (`payment_intent: 'pi_…'` or `{ id: 'pi_…' }`). */
function idOf(value: unknown): string | null {
  if (typeof value === 'object' && value !== null) return text((value as EventObject).id);
  return text(value);
}

function referenceOf(object: EventObject): string | null {
  const metadata = object.metadata;
  if (typeof metadata !== 'object' || metadata === null) return null;
  return text((metadata as Record<string, unknown>).payment_reference);
}

function amountOf(object: EventObject, field: string): number | null {
  const amount = object[field];
  const currency = object.currency;
  if (typeof amount !== 'number' || typeof currency !== 'string') return null;
  return fromStripeAmount(amount, currency);
}

function fromPaymentIntent(type: GatewayEvent['type'], intent: EventObject, amountField: string): Mapped {
  return {
    type,
    gatewayPaymentId: text(intent.id),
    reference: referenceOf(intent),
    amountMinor: amountOf(intent, amountField),
  };
}

function fromRefund(type: GatewayEvent['type'], refund: EventObject): Mapped {
  return {
    type,
    gatewayPaymentId: idOf(refund.payment_intent),
    reference: referenceOf(refund),
    amountMinor: amountOf(refund, 'amount'),
  };
}

/**
 * Whether a refunded charge returned money to the customer. Stripe also records the release of an
 * authorisation (a void, the remainder of a partial capture) as a refund of the charge; that part
 * is `amount - amount_captured`, and only what `amount_refunded` holds beyond it is a refund.
 */
function refundsTheCustomer(charge: EventObject): boolean {
  const { amount, amount_captured: captured, amount_refunded: refunded } = charge;
  if (typeof amount !== 'number' || typeof captured !== 'number' || typeof refunded !== 'number') return true;
  return refunded > amount - captured;
}

/**
 * What one Stripe event means for a payment. `charge.refunded` carries the charge, not the refund:
 * its amount is left null (the charge's `amount_refunded` is a running total, not this refund).
 * Refunds carry no payment reference of ours: they are matched by `gatewayPaymentId`.
 */
function mapped(eventType: string, object: EventObject): Mapped {
  switch (eventType) {
    case 'payment_intent.amount_capturable_updated':
      return fromPaymentIntent('payment.authorized', object, 'amount_capturable');
    case 'payment_intent.succeeded':
      return fromPaymentIntent('payment.captured', object, 'amount_received');
    case 'payment_intent.canceled':
      return fromPaymentIntent('payment.voided', object, 'amount');
    case 'payment_intent.payment_failed':
      return fromPaymentIntent('payment.failed', object, 'amount');
    case 'charge.refunded':
      return {
        type: refundsTheCustomer(object) ? 'refund.succeeded' : 'other',
        gatewayPaymentId: idOf(object.payment_intent),
        reference: referenceOf(object),
        amountMinor: null,
      };
    case 'refund.updated':
      return fromRefund(object.status === 'succeeded' ? 'refund.succeeded' : 'other', object);
    case 'refund.failed':
      return fromRefund('refund.failed', object);
    default: {
      const isPaymentIntent = object.object === 'payment_intent';
      return {
        type: 'other',
        gatewayPaymentId: isPaymentIntent ? text(object.id) : idOf(object.payment_intent),
        reference: referenceOf(object),
        amountMinor: null,
      };
    }
  }
}

/**
 * Verifies `Stripe-Signature` over the exact raw body with the endpoint's secret (HMAC-SHA256,
 * timestamp within 300 s) and reduces the event to what the payment service acts on. Any failure
 * (no header, a malformed one, a wrong secret, a changed body, a stale timestamp, a body that is
 * not an event) is a WebhookSignatureError: nothing of an unverified body is returned.
 */
export function verifiedStripeEvent(
  rawBody: Uint8Array,
  signatureHeader: string,
  webhookSecret: string,
): GatewayEvent {
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(
      Buffer.from(rawBody),
      signatureHeader,
      webhookSecret,
      WEBHOOK_TOLERANCE_SECONDS,
    );
  } catch (error) {
    throw new WebhookSignatureError(`Stripe webhook refused: ${(error as Error).message}`);
  }
  const raw = event as unknown as Record<string, unknown> | null;
  const object = (raw?.data as { object?: unknown } | undefined)?.object;
  const isEvent =
    typeof raw?.id === 'string' && typeof raw.type === 'string' && typeof raw.created === 'number';
  if (!raw || !isEvent || typeof object !== 'object' || object === null) {
    throw new WebhookSignatureError('Stripe webhook refused: the signed body is not an event');
  }
  return {
    eventId: event.id,
    gatewayType: event.type,
    occurredAt: new Date(event.created * 1000),
    raw,
    ...mapped(event.type, object as EventObject),
  };
}
