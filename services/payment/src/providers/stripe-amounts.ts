import { ISO_4217_EXPONENTS } from '../../../../lib/iso-4217.js';

/**
 * Amounts between the platform (minor units of ISO 4217) and Stripe (minor units as Stripe
 * defines them, https://docs.stripe.com/currencies). The two agree for almost every currency,
 * including the zero-decimal ones (JPY, KRW, CLP, VND, XOF, ...: 500 is 500 yen on both sides).
 * Where they differ:
 *
 * - ISK and UGX: 0 decimals in ISO, but Stripe keeps them two-decimal for backwards compatibility
 *   and accepts only whole units: 5 ISK is `5` here and `500` at Stripe.
 * - MGA: 2 decimals in ISO, zero-decimal at Stripe: 1500.00 MGA is `150000` here and `1500` at
 *   Stripe; a fraction of an ariary cannot be sent.
 * - BHD, JOD, KWD, OMR, TND: 3 decimals on both sides, but Stripe wants the last digit 0:
 *   5.124 KWD (`5124`) cannot be sent, 5.120 (`5120`) can.
 * - Any other currency is two-decimal at Stripe ("unless otherwise noted"); one whose ISO
 *   exponent is not 2 (IQD, LYD, CLF, ...) is scaled the same way, and Stripe refuses the
 *   currency if it does not support it.
 *
 * HUF and TWD are two-decimal on both sides for payments; Stripe treats them as zero-decimal
 * only for payouts, which this adapter never makes.
 */
// prettier-ignore
const STRIPE_ZERO_DECIMAL = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
]);
const STRIPE_THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);
/** Two-decimal at Stripe, but only whole units may be charged (the amount ends in 00). */
const STRIPE_WHOLE_UNITS_ONLY = new Set(['ISK', 'UGX']);

function stripeExponent(currency: string): number {
  if (STRIPE_ZERO_DECIMAL.has(currency)) return 0;
  if (STRIPE_THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

export type StripeAmount = { ok: true; amount: number } | { ok: false; problem: string };

/** Our amount of `currency` (upper-case ISO code) as Stripe's `amount`, or why it cannot be sent. */
export function toStripeAmount(amountMinor: number, currency: string): StripeAmount {
  const isoExponent = ISO_4217_EXPONENTS.get(currency);
  if (isoExponent === undefined) return { ok: false, problem: `${currency} is not an ISO 4217 currency` };
  const shift = stripeExponent(currency) - isoExponent;
  let amount = amountMinor;
  if (shift > 0) amount = amountMinor * 10 ** shift;
  if (shift < 0) {
    const divisor = 10 ** -shift;
    if (amountMinor % divisor !== 0) {
      return {
        ok: false,
        problem: `Stripe charges ${currency} with ${stripeExponent(currency)} decimals: ${amountMinor} minor units is not a whole number of them`,
      };
    }
    amount = amountMinor / divisor;
  }
  if (STRIPE_THREE_DECIMAL.has(currency) && amount % 10 !== 0) {
    return { ok: false, problem: `Stripe accepts ${currency} amounts only in multiples of 10 minor units` };
  }
  if (STRIPE_WHOLE_UNITS_ONLY.has(currency) && amount % 100 !== 0) {
    return { ok: false, problem: `Stripe accepts ${currency} amounts only in whole units` };
  }
  if (!Number.isSafeInteger(amount)) return { ok: false, problem: `${amountMinor} is out of range` };
  return { ok: true, amount };
}

/**
 * Stripe's `amount` of `currency` (either case) in our minor units; null when it is not a whole
 * number of them (a fractional ISK charge made before Stripe stopped accepting them) or the
 * currency is not ISO 4217.
 */
export function fromStripeAmount(amount: number, currency: string): number | null {
  const code = currency.toUpperCase();
  const isoExponent = ISO_4217_EXPONENTS.get(code);
  if (isoExponent === undefined) return null;
  const shift = isoExponent - stripeExponent(code);
  if (shift >= 0) return amount * 10 ** shift;
  const divisor = 10 ** -shift;
  return amount % divisor === 0 ? amount / divisor : null;
}
