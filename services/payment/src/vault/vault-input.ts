import {
  PaymentMethodType,
  type VaultPaymentMethodRequest,
} from '../../../../gen/ecommerce/payment/v1/payment.js';
import { Violations } from '../../../../lib/validation/index.js';

/** A vault request that passed every field rule of payment.proto. */
export interface VaultInput {
  userId: string;
  type: 'card';
  provider: string;
  providerToken: string;
  brand: string;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
  idempotencyKey: string;
}

const PROVIDER = /^[a-z0-9_-]{1,32}$/;
const PROVIDER_TOKEN = /^[A-Za-z0-9_.:-]{8,255}$/;
const LAST4 = /^[0-9]{4}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;

/** Checks every field and reports all that are wrong at once (INVALID_ARGUMENT). */
export function vaultInputFrom(request: VaultPaymentMethodRequest): VaultInput {
  const v = new Violations();
  const fail = (field: string, description: string): void => v.add(field, description);
  v.uuid('user_id', request.userId);
  if (request.type !== PaymentMethodType.PAYMENT_METHOD_TYPE_CARD)
    fail('type', 'must be PAYMENT_METHOD_TYPE_CARD');
  if (!PROVIDER.test(request.provider)) fail('provider', 'must be 1-32 characters of a-z, 0-9, _ or -');
  if (!PROVIDER_TOKEN.test(request.providerToken))
    fail('provider_token', 'must be 8-255 characters of letters, digits, _ . : or -');
  if (!PROVIDER.test(request.brand)) fail('brand', 'must be 1-32 characters of a-z, 0-9, _ or -');
  if (!LAST4.test(request.last4)) fail('last4', 'must be exactly 4 digits');
  if (!Number.isInteger(request.expiryMonth) || request.expiryMonth < 1 || request.expiryMonth > 12)
    fail('expiry_month', 'must be from 1 to 12');
  if (!Number.isInteger(request.expiryYear) || request.expiryYear < 2000 || request.expiryYear > 2100)
    fail('expiry_year', 'must be a four-digit year from 2000 to 2100');
  if (!IDEMPOTENCY_KEY.test(request.idempotencyKey))
    fail('idempotency_key', 'must be 8-100 characters of letters, digits, _ or -');
  v.throwIfAny();
  return {
    userId: request.userId,
    type: 'card',
    provider: request.provider,
    providerToken: request.providerToken,
    brand: request.brand,
    last4: request.last4,
    expiryMonth: request.expiryMonth,
    expiryYear: request.expiryYear,
    idempotencyKey: request.idempotencyKey,
  };
}
