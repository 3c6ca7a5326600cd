import type { AddPaymentMethodRequest } from '../../../../gen/ecommerce/user/v1/user.js';
import { Violations } from '../../../../lib/validation/index.js';

export interface NewPaymentMethod {
  provider: string;
  providerToken: string;
  brand: string;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
  cardholderName: string | null;
  billingAddressId: string | null;
  setDefault: boolean;
  idempotencyKey: string;
}

const SLUG = /^[a-z0-9_-]{1,32}$/;
const PROVIDER_TOKEN = /^[A-Za-z0-9_.:-]{8,255}$/;
// A provider token never looks like a card number: 12-19 digits (spaces or dashes allowed) is refused.
const CARD_NUMBER = /^[0-9 -]{12,23}$/;
const LAST4 = /^[0-9]{4}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;

/** Every field rule of AddPaymentMethodRequest; all violations at once. `now` decides expiry. */
export function newPaymentMethodFrom(request: AddPaymentMethodRequest, now = new Date()): NewPaymentMethod {
  const v = new Violations();
  if (request.providerToken === '') v.add('provider_token', 'is required');
  else if (CARD_NUMBER.test(request.providerToken))
    v.add('provider_token', 'looks like a card number: send the token the payment provider returned instead');
  else if (!PROVIDER_TOKEN.test(request.providerToken))
    v.add('provider_token', 'must be 8-255 characters of letters, digits, _ . : or -');
  if (!SLUG.test(request.provider)) v.add('provider', 'must be 1-32 characters of a-z, 0-9, _ or -');
  if (!SLUG.test(request.brand)) v.add('brand', 'must be 1-32 characters of a-z, 0-9, _ or -');
  if (!LAST4.test(request.last4)) v.add('last4', 'must be exactly 4 digits');
  const monthOk =
    Number.isInteger(request.expiryMonth) && request.expiryMonth >= 1 && request.expiryMonth <= 12;
  const yearOk =
    Number.isInteger(request.expiryYear) && request.expiryYear >= 2000 && request.expiryYear <= 2100;
  if (!monthOk) v.add('expiry_month', 'must be from 1 to 12');
  if (!yearOk) v.add('expiry_year', 'must be a four-digit year from 2000 to 2100');
  if (monthOk && yearOk) {
    const thisMonth = now.getUTCFullYear() * 12 + now.getUTCMonth() + 1;
    if (request.expiryYear * 12 + request.expiryMonth < thisMonth)
      v.add('expiry_year', 'the card has expired');
  }
  const cardholderName = v.optionalText('cardholder_name', request.cardholderName, 100);
  v.optionalUuid('billing_address_id', request.billingAddressId);
  if (!IDEMPOTENCY_KEY.test(request.idempotencyKey))
    v.add('idempotency_key', 'must be 8-100 characters of letters, digits, _ or -');
  v.throwIfAny();
  return {
    provider: request.provider,
    providerToken: request.providerToken,
    brand: request.brand,
    last4: request.last4,
    expiryMonth: request.expiryMonth,
    expiryYear: request.expiryYear,
    cardholderName,
    billingAddressId: request.billingAddressId === '' ? null : request.billingAddressId,
    setDefault: request.setDefault,
    idempotencyKey: request.idempotencyKey,
  };
}
