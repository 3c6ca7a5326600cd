import { createHash, randomUUID } from 'node:crypto';
import type {
  AuthorizeAtGateway,
  CaptureAtGateway,
  DeclineCode,
  GatewayEvent,
  GatewayPaymentView,
  GatewayResult,
  LookupAtGateway,
  PaymentProvider,
  RefundAtGateway,
  VoidAtGateway,
} from './payment-provider.js';
import { signedTestWebhook, verifyTestWebhook, type TestGatewayEventBody } from './test-gateway-webhooks.js';

/**
 * The test gateway's payment methods, modelled on a real gateway's test cards (Stripe's
 * PaymentMethod names). Any other token is refused as `invalid_request` ("no such payment method").
 */
export const TEST_TOKENS = {
  /** Authorises; captures, voids and refunds succeed. */
  pm_card_visa: { declineCode: null, captureAnswerLost: false },
  pm_card_mastercard: { declineCode: null, captureAnswerLost: false },
  /** Declined at authorisation: generic decline. */
  pm_card_visa_chargeDeclined: { declineCode: 'card_declined', captureAnswerLost: false },
  pm_card_visa_chargeDeclinedInsufficientFunds: {
    declineCode: 'insufficient_funds',
    captureAnswerLost: false,
  },
  pm_card_chargeDeclinedExpiredCard: { declineCode: 'expired_card', captureAnswerLost: false },
  /** Declined at authorisation with a processing error (worth trying again later, with a new key). */
  pm_card_chargeDeclinedProcessingError: { declineCode: 'processing_error', captureAnswerLost: false },
  /**
   * Authorises; its capture succeeds at the gateway but the answer is lost (`unknown`), and the
   * gateway cannot be reached for the one lookup that follows: the next lookup, or the capture
   * sent again with the same idempotency key, tells the truth.
   */
  pm_card_captureAnswerLost: { declineCode: null, captureAnswerLost: true },
} as const satisfies Record<string, { declineCode: DeclineCode | null; captureAnswerLost: boolean }>;

export type TestToken = keyof typeof TEST_TOKENS;

type GatewayStatus = GatewayPaymentView['status'];

interface SimulatedPayment {
  id: string;
  reference: string;
  token: string;
  currency: string;
  status: GatewayStatus;
  authorizedMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  declineCode: DeclineCode | null;
  /** Lookups still to fail as if the gateway could not be reached. */
  unreachableLookups: number;
  events: TestGatewayEventBody[];
  createdAt: number;
}

interface KeptAnswer {
  paramsHash: string;
  result: GatewayResult;
}

/** Calls one payment (by our reference) received: money operations and lookups, kept apart. */
export interface TestGatewayCalls {
  operations: number;
  lookups: number;
}

/**
 * The gateway's memory. One per process, shared by every TestGateway instance: like a real
 * gateway, it is one place that several clients talk to. It lives as long as the process (a
 * single-process simulator: several replicas of the payment service each have their own).
 */
const simulator = {
  byId: new Map<string, SimulatedPayment>(),
  byReference: new Map<string, SimulatedPayment>(),
  /** Idempotency keys, as a real gateway keeps them: the first answer per key. */
  answers: new Map<string, KeptAnswer>(),
  calls: new Map<string, TestGatewayCalls>(),
};

/** What the test gateway received for one payment (tests count gateway calls with it). */
export function testGatewayCallsFor(reference: string): TestGatewayCalls {
  return { ...(simulator.calls.get(reference) ?? { operations: 0, lookups: 0 }) };
}

function countCall(reference: string | undefined, kind: keyof TestGatewayCalls): void {
  if (!reference) return;
  const calls = simulator.calls.get(reference) ?? { operations: 0, lookups: 0 };
  calls[kind] += 1;
  simulator.calls.set(reference, calls);
}

// randomUUID draws from a pooled buffer; randomBytes asks the kernel on every call.
const newGatewayId = (prefix: string): string => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 24)}`;

function paramsHashOf(operation: string, params: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, params]))
    .digest('hex');
}

function declined(
  declineCode: DeclineCode,
  message: string,
): Extract<GatewayResult, { outcome: 'declined' }> {
  return {
    outcome: 'declined',
    declineCode,
    message,
    raw: {
      error: {
        type: declineCode === 'invalid_request' ? 'invalid_request_error' : 'card_error',
        code: declineCode,
        message,
      },
    },
  };
}

function objectOf(payment: SimulatedPayment): TestGatewayEventBody['data']['object'] {
  return {
    id: payment.id,
    reference: payment.reference,
    currency: payment.currency,
    status: payment.status,
    amount_authorized: payment.authorizedMinor,
    amount_captured: payment.capturedMinor,
    amount_refunded: payment.refundedMinor,
    payment_method: payment.token,
    decline_code: payment.declineCode,
  };
}

function emit(payment: SimulatedPayment, type: string, amount: number | null): void {
  payment.events.push({
    id: newGatewayId('evt'),
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object: objectOf(payment), amount },
  });
}

/**
 * The built-in gateway simulator (PAYMENT_PROVIDER=test, the default): it behaves like a real
 * gateway with manual capture. It keeps its own state per payment (authorised, captured, voided,
 * declined; refunded amounts), found by its own ids and by our reference; honours idempotency keys
 * as Stripe does (the same key and parameters answer the first result and do nothing twice; the
 * same key with other parameters is refused as `invalid_request`); refuses a capture above the
 * hold, a second capture, a refund above what is captured. Its webhooks are signed Stripe-style
 * with `webhookSecret`; `webhooksFor` hands out the ones it would have sent for a payment.
 *
 * Single-process: the state is in the memory of the payment service's process and is gone when
 * it stops.
 */
export class TestGateway implements PaymentProvider {
  readonly name = 'test';

  constructor(private readonly webhookSecret: string) {}

  /**
   * Runs `operation` once per idempotency key: a repeat with the same parameters gets the first
   * result (a lost answer's repeat gets what really happened), other parameters an error.
   */
  private once(
    operation: string,
    key: string,
    params: unknown,
    run: () => { result: GatewayResult; answered?: GatewayResult },
  ): GatewayResult {
    const paramsHash = paramsHashOf(operation, params);
    const kept = simulator.answers.get(key);
    if (kept) {
      if (kept.paramsHash !== paramsHash) {
        return declined(
          'invalid_request',
          `idempotency key ${key} was used for a request with other parameters (idempotency_error)`,
        );
      }
      return kept.result;
    }
    const { result, answered } = run();
    simulator.answers.set(key, { paramsHash, result });
    return answered ?? result;
  }

  async authorize(request: AuthorizeAtGateway): Promise<GatewayResult> {
    countCall(request.reference, 'operations');
    const { idempotencyKey, ...params } = request;
    return this.once('authorize', idempotencyKey, params, () => {
      if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
        return { result: declined('invalid_request', 'amount must be a positive whole number') };
      }
      const behaviour = TEST_TOKENS[request.paymentToken as TestToken] as
        (typeof TEST_TOKENS)[TestToken] | undefined;
      if (!behaviour) {
        return { result: declined('invalid_request', `no such payment method: ${request.paymentToken}`) };
      }
      const payment: SimulatedPayment = {
        id: newGatewayId('tgp'),
        reference: request.reference,
        token: request.paymentToken,
        currency: request.currency,
        status: behaviour.declineCode ? 'declined' : 'authorized',
        authorizedMinor: behaviour.declineCode ? 0 : request.amountMinor,
        capturedMinor: 0,
        refundedMinor: 0,
        declineCode: behaviour.declineCode,
        unreachableLookups: 0,
        events: [],
        createdAt: Date.now(),
      };
      simulator.byId.set(payment.id, payment);
      simulator.byReference.set(payment.reference, payment);
      if (behaviour.declineCode) {
        emit(payment, 'payment.failed', request.amountMinor);
        const result = declined(behaviour.declineCode, `the card was declined (${behaviour.declineCode})`);
        return { result: { ...result, raw: { ...result.raw, payment: objectOf(payment) } } };
      }
      emit(payment, 'payment.authorized', request.amountMinor);
      return {
        result: {
          outcome: 'succeeded',
          gatewayPaymentId: payment.id,
          gatewayOperationId: newGatewayId('tga'),
          amountMinor: request.amountMinor,
          raw: { payment: objectOf(payment) },
        },
      };
    });
  }

  async capture(request: CaptureAtGateway): Promise<GatewayResult> {
    const payment = simulator.byId.get(request.gatewayPaymentId);
    countCall(payment?.reference, 'operations');
    const { idempotencyKey, ...params } = request;
    return this.once('capture', idempotencyKey, params, () => {
      if (!payment)
        return { result: declined('invalid_request', `no such payment: ${request.gatewayPaymentId}`) };
      if (payment.status !== 'authorized') {
        return {
          result: declined(
            'invalid_request',
            `payment ${payment.id} is ${payment.status}; it cannot be captured`,
          ),
        };
      }
      if (request.currency !== payment.currency) {
        return { result: declined('invalid_request', `currency must be ${payment.currency}`) };
      }
      if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
        return { result: declined('invalid_request', 'amount must be a positive whole number') };
      }
      if (request.amountMinor > payment.authorizedMinor) {
        return {
          result: declined(
            'invalid_request',
            `amount ${request.amountMinor} is above the ${payment.authorizedMinor} authorised`,
          ),
        };
      }
      payment.status = 'captured';
      payment.capturedMinor = request.amountMinor;
      emit(payment, 'payment.captured', request.amountMinor);
      const result: GatewayResult = {
        outcome: 'succeeded',
        gatewayPaymentId: payment.id,
        gatewayOperationId: newGatewayId('tgc'),
        amountMinor: request.amountMinor,
        raw: { payment: objectOf(payment) },
      };
      if (!TEST_TOKENS[payment.token as TestToken]?.captureAnswerLost) return { result };
      payment.unreachableLookups = 1;
      return {
        result,
        answered: { outcome: 'unknown', message: 'the connection was reset before the answer' },
      };
    });
  }

  async void(request: VoidAtGateway): Promise<GatewayResult> {
    const payment = simulator.byId.get(request.gatewayPaymentId);
    countCall(payment?.reference, 'operations');
    const { idempotencyKey, ...params } = request;
    return this.once('void', idempotencyKey, params, () => {
      if (!payment)
        return { result: declined('invalid_request', `no such payment: ${request.gatewayPaymentId}`) };
      if (payment.status !== 'authorized') {
        return {
          result: declined(
            'invalid_request',
            `payment ${payment.id} is ${payment.status}; it cannot be voided`,
          ),
        };
      }
      payment.status = 'voided';
      emit(payment, 'payment.voided', payment.authorizedMinor);
      return {
        result: {
          outcome: 'succeeded',
          gatewayPaymentId: payment.id,
          gatewayOperationId: newGatewayId('tgv'),
          amountMinor: payment.authorizedMinor,
          raw: { payment: objectOf(payment) },
        },
      };
    });
  }

  async refund(request: RefundAtGateway): Promise<GatewayResult> {
    const payment = simulator.byId.get(request.gatewayPaymentId);
    countCall(payment?.reference, 'operations');
    const { idempotencyKey, ...params } = request;
    return this.once('refund', idempotencyKey, params, () => {
      if (!payment)
        return { result: declined('invalid_request', `no such payment: ${request.gatewayPaymentId}`) };
      if (payment.status !== 'captured') {
        return {
          result: declined(
            'invalid_request',
            `payment ${payment.id} is ${payment.status}; nothing to refund`,
          ),
        };
      }
      if (request.currency !== payment.currency) {
        return { result: declined('invalid_request', `currency must be ${payment.currency}`) };
      }
      const refundable = payment.capturedMinor - payment.refundedMinor;
      if (
        !Number.isSafeInteger(request.amountMinor) ||
        request.amountMinor <= 0 ||
        request.amountMinor > refundable
      ) {
        return {
          result: declined(
            'invalid_request',
            `amount ${request.amountMinor} is above the ${refundable} left to refund`,
          ),
        };
      }
      payment.refundedMinor += request.amountMinor;
      emit(payment, 'refund.succeeded', request.amountMinor);
      return {
        result: {
          outcome: 'succeeded',
          gatewayPaymentId: payment.id,
          gatewayOperationId: newGatewayId('tgr'),
          amountMinor: request.amountMinor,
          raw: { payment: objectOf(payment), reason: request.reason },
        },
      };
    });
  }

  async lookup(request: LookupAtGateway): Promise<GatewayPaymentView | null> {
    countCall(request.reference, 'lookups');
    const payment =
      (request.gatewayPaymentId ? simulator.byId.get(request.gatewayPaymentId) : undefined) ??
      simulator.byReference.get(request.reference);
    if (payment && payment.unreachableLookups > 0) {
      payment.unreachableLookups -= 1;
      throw new Error('the test gateway could not be reached (simulated outage after a lost answer)');
    }
    if (!payment) return null;
    return {
      gatewayPaymentId: payment.id,
      reference: payment.reference,
      status: payment.status,
      currency: payment.currency,
      authorizedMinor: payment.authorizedMinor,
      capturedMinor: payment.capturedMinor,
      refundedMinor: payment.refundedMinor,
      raw: { payment: objectOf(payment) },
    };
  }

  verifyWebhook(rawBody: Uint8Array, signatureHeader: string): GatewayEvent {
    return verifyTestWebhook(this.webhookSecret, rawBody, signatureHeader);
  }

  /** The webhooks the gateway would have sent about a payment so far, signed now, oldest first. */
  webhooksFor(reference: string): { rawBody: Buffer; signatureHeader: string }[] {
    const payment = simulator.byReference.get(reference);
    return (payment?.events ?? []).map((event) => signedTestWebhook(this.webhookSecret, event));
  }
}
