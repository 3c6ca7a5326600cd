/**
 * What the payment service asks of a payment gateway. Two implementations: `test` (the built-in
 * gateway simulator, the default) and `stripe` (PaymentIntents with manual capture). The domain
 * talks to this interface only; nothing outside `providers/` knows which gateway is behind it.
 *
 * Amounts are integer minor units of `currency` (ISO 4217), as everywhere on the platform.
 *
 * Every operation carries our idempotency key, and a gateway must honour it the way a real one
 * does: the same key and the same parameters answer the first result and move no money twice.
 * That is what makes a retry after a lost answer safe.
 */
export interface PaymentProvider {
  /** The name stored on each payment (`payments.provider`): `test`, `stripe`. */
  readonly name: string;

  /** Places a hold for `amountMinor` on the method, to be captured later (manual capture). */
  authorize(request: AuthorizeAtGateway): Promise<GatewayResult>;

  /** Captures `amountMinor` (all or part of what was authorised; the rest is released). */
  capture(request: CaptureAtGateway): Promise<GatewayResult>;

  /** Releases an authorisation that was never captured. */
  void(request: VoidAtGateway): Promise<GatewayResult>;

  /** Returns `amountMinor` of a captured payment to the customer; repeatable up to the capture. */
  refund(request: RefundAtGateway): Promise<GatewayResult>;

  /**
   * The gateway's own view of a payment, found by our payment reference (and by the gateway's id
   * when we know it). `null` when the gateway has never heard of it, which after a lost authorise
   * answer means nothing was authorised. This, never a guess, is how a lost answer is resolved.
   */
  lookup(request: LookupAtGateway): Promise<GatewayPaymentView | null>;

  /**
   * Verifies a webhook's signature over the exact raw body and parses it. Throws
   * `WebhookSignatureError` for a missing, malformed, stale or wrong signature; nothing in an
   * unverified body may be trusted or stored as if it came from the gateway.
   */
  verifyWebhook(rawBody: Uint8Array, signatureHeader: string): GatewayEvent;
}

export interface AuthorizeAtGateway {
  /** Our payment id: the gateway keeps it (metadata) so `lookup` can find the payment by it. */
  reference: string;
  /** The gateway's token for the card: a vaulted method's token or a one-time token. */
  paymentToken: string;
  amountMinor: number;
  currency: string;
  idempotencyKey: string;
}

export interface CaptureAtGateway {
  gatewayPaymentId: string;
  amountMinor: number;
  currency: string;
  idempotencyKey: string;
}

export interface VoidAtGateway {
  gatewayPaymentId: string;
  idempotencyKey: string;
}

export interface RefundAtGateway {
  gatewayPaymentId: string;
  amountMinor: number;
  currency: string;
  reason: string;
  idempotencyKey: string;
}

export interface LookupAtGateway {
  reference: string;
  gatewayPaymentId?: string;
}

/** Why a gateway refused. `processing_error` is worth retrying later; the others are final. */
export type DeclineCode =
  'card_declined' | 'insufficient_funds' | 'expired_card' | 'processing_error' | 'invalid_request';

/**
 * The answer to one operation:
 * - `succeeded`: the gateway did it (`gatewayOperationId`: its id of this capture, refund, …);
 * - `declined`: the gateway refused and moved no money;
 * - `unknown`: the answer was lost (timeout, connection reset, a 5xx): the operation may or may
 *   not have happened. The caller must find out with `lookup` (or by retrying with the same
 *   idempotency key), never assume either way.
 */
export type GatewayResult =
  | {
      outcome: 'succeeded';
      gatewayPaymentId: string;
      gatewayOperationId: string;
      amountMinor: number;
      raw: Record<string, unknown>;
    }
  | { outcome: 'declined'; declineCode: DeclineCode; message: string; raw: Record<string, unknown> }
  | { outcome: 'unknown'; message: string };

/** Where a payment stands at the gateway, with its running amounts. */
export interface GatewayPaymentView {
  gatewayPaymentId: string;
  reference: string;
  status: 'authorized' | 'captured' | 'voided' | 'declined';
  currency: string;
  authorizedMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  raw: Record<string, unknown>;
}

/** A verified webhook, reduced to what the payment service acts on. */
export interface GatewayEvent {
  /** The gateway's event id: unique per event, the key that makes redeliveries harmless. */
  eventId: string;
  type:
    | 'payment.authorized'
    | 'payment.captured'
    | 'payment.voided'
    | 'payment.failed'
    | 'refund.succeeded'
    | 'refund.failed'
    /** Anything else the gateway sends: stored and acknowledged, never acted on. */
    | 'other';
  /** The gateway's type name as sent (`payment_intent.succeeded`). */
  gatewayType: string;
  gatewayPaymentId: string | null;
  /** Our payment id, when the event carries it. */
  reference: string | null;
  amountMinor: number | null;
  occurredAt: Date;
  raw: Record<string, unknown>;
}

/** A webhook whose signature does not verify: refused, nothing stored as the gateway's. */
export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}
