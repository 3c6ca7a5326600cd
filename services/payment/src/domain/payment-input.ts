import type {
  AuthorizePaymentRequest,
  CapturePaymentRequest,
  RefundPaymentRequest,
  VoidPaymentRequest,
} from '../../../../gen/ecommerce/payment/v1/payment.js';
import { isCurrencyCode, MAX_AMOUNT_MINOR, type Money } from '../../../../lib/money.js';
import { checked, type Violations } from '../../../../lib/validation/index.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;
const PAYMENT_TOKEN = /^[A-Za-z0-9_.:-]{8,255}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function idempotencyKey(v: Violations, value: string): string {
  if (!IDEMPOTENCY_KEY.test(value))
    v.add('idempotency_key', 'must be 8-100 characters of letters, digits, _ or -');
  return value;
}

/** A positive amount of a current ISO 4217 currency, within what the database holds. */
function positiveMoney(v: Violations, field: string, value: Money | undefined): Money {
  if (!value) {
    v.add(field, 'is required');
    return { currencyCode: '', amountMinor: 0 };
  }
  if (!isCurrencyCode(value.currencyCode))
    v.add(`${field}.currency_code`, 'must be an ISO 4217 code such as EUR');
  if (
    !Number.isSafeInteger(value.amountMinor) ||
    value.amountMinor <= 0 ||
    value.amountMinor > MAX_AMOUNT_MINOR
  ) {
    v.add(`${field}.amount_minor`, `must be a whole number of minor units from 1 to ${MAX_AMOUNT_MINOR}`);
  }
  return { currencyCode: value.currencyCode, amountMinor: value.amountMinor };
}

export interface AuthorizeInput {
  orderId: string;
  userId: string | null;
  guestEmail: string | null;
  amount: Money;
  paymentMethodId: string | null;
  paymentToken: string | null;
  idempotencyKey: string;
  /**
   * Capture in the same call (present only when asked for: the request's hash, which a repeat of
   * the key must match, stays what it was for a hold).
   */
  capture?: true;
}

/** Every field of an AuthorizePayment request, all faults at once (INVALID_ARGUMENT). */
export function authorizeInputFrom(request: AuthorizePaymentRequest): AuthorizeInput {
  return checked((v) => {
    const orderId = v.uuid('order_id', request.orderId);
    const email = request.guestEmail.trim();
    let userId: string | null = null;
    let guestEmail: string | null = null;
    if ((request.userId === '') === (email === '')) {
      v.add('user_id', 'exactly one of user_id and guest_email is required');
    } else if (request.userId !== '') {
      userId = v.uuid('user_id', request.userId);
    } else if (!EMAIL.test(email) || email.length < 3 || email.length > 254) {
      v.add('guest_email', 'must be an email address of 3-254 characters');
    } else {
      guestEmail = email;
    }
    const amount = positiveMoney(v, 'amount', request.amount);
    let paymentMethodId: string | null = null;
    let paymentToken: string | null = null;
    if ((request.paymentMethodId === '') === (request.paymentToken === '')) {
      v.add('payment_method_id', 'exactly one of payment_method_id and payment_token is required');
    } else if (request.paymentMethodId !== '') {
      paymentMethodId = v.uuid('payment_method_id', request.paymentMethodId);
      if (email !== '' && request.userId === '') v.add('payment_method_id', 'a guest has no vaulted methods');
    } else if (!PAYMENT_TOKEN.test(request.paymentToken)) {
      v.add('payment_token', 'must be 8-255 characters of letters, digits, _ . : or -');
    } else {
      paymentToken = request.paymentToken;
    }
    const key = idempotencyKey(v, request.idempotencyKey);
    return {
      orderId,
      userId,
      guestEmail,
      amount,
      paymentMethodId,
      paymentToken,
      idempotencyKey: key,
      ...(request.capture ? { capture: true as const } : {}),
    };
  });
}

export interface CaptureInput {
  paymentId: string;
  amount: Money;
  idempotencyKey: string;
}

export function captureInputFrom(request: CapturePaymentRequest): CaptureInput {
  return checked((v) => ({
    paymentId: v.uuid('payment_id', request.paymentId),
    amount: positiveMoney(v, 'amount', request.amount),
    idempotencyKey: idempotencyKey(v, request.idempotencyKey),
  }));
}

export interface VoidInput {
  paymentId: string;
  idempotencyKey: string;
}

export function voidInputFrom(request: VoidPaymentRequest): VoidInput {
  return checked((v) => ({
    paymentId: v.uuid('payment_id', request.paymentId),
    idempotencyKey: idempotencyKey(v, request.idempotencyKey),
  }));
}

export interface RefundInput {
  paymentId: string;
  amount: Money;
  reason: string;
  returnId: string | null;
  idempotencyKey: string;
}

export function refundInputFrom(request: RefundPaymentRequest): RefundInput {
  return checked((v) => ({
    paymentId: v.uuid('payment_id', request.paymentId),
    amount: positiveMoney(v, 'amount', request.amount),
    reason: v.text('reason', request.reason, 1, 500),
    returnId: v.optionalUuid('return_id', request.returnId),
    idempotencyKey: idempotencyKey(v, request.idempotencyKey),
  }));
}
