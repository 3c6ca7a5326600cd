import { DiscountReason } from '../../../../../lib/error-reasons.js';
import { allocateByLargestRemainder } from './allocation.js';
import { percentOf } from './arithmetic.js';
import { formatMoney, formatPercent } from './format.js';
import { matchesLine } from './target.js';
import type { CouponRefusal, PricingCoupon } from './types.js';
import { sumOf, type WorkLine } from './work-line.js';

export type CouponApplication =
  | { applied: false; refusal: CouponRefusal }
  | {
      applied: true;
      /** Per line position. */
      amounts: number[];
      /** Its allocation over the lines (0 for free shipping). */
      lineDiscount: number;
      shippingDiscount: number;
      explanation: string;
    };

/**
 * Step 3 of the pricing rule: the coupon on what the promotions left of the lines it applies to.
 * The minimum is judged on that amount (the eligible lines after promotions, before the coupon); a
 * percentage is taken of it, capped by maximumDiscount; a fixed amount is at most it; the discount
 * is allocated to those lines by largest remainder. Free shipping takes what is left of shipping.
 */
export function applyCoupon(
  coupon: PricingCoupon,
  lines: readonly WorkLine[],
  remaining: readonly number[],
  shippingLeft: number,
  currency: string,
): CouponApplication {
  const eligible = lines.filter(({ line }) => matchesLine(coupon.target, line));
  if (eligible.length === 0) {
    return {
      applied: false,
      refusal: {
        reason: DiscountReason.COUPON_NOT_APPLICABLE,
        message: `Coupon ${coupon.code} does not apply to any item in this cart.`,
        metadata: { code: coupon.code },
      },
    };
  }
  const weights = eligible.map(({ position }) => remaining[position]!);
  const base = sumOf(weights);
  if (coupon.minimumAmount !== null && base < coupon.minimumAmount) {
    return {
      applied: false,
      refusal: {
        reason: DiscountReason.COUPON_MINIMUM_NOT_MET,
        message:
          `Coupon ${coupon.code} needs ${formatMoney(coupon.minimumAmount, currency)} of eligible items ` +
          `after other discounts; this cart has ${formatMoney(base, currency)}.`,
        metadata: {
          code: coupon.code,
          minimum_amount_minor: String(coupon.minimumAmount),
          eligible_amount_minor: String(base),
          currency_code: currency,
        },
      },
    };
  }
  const amounts = lines.map(() => 0);
  if (coupon.type === 'free_shipping') {
    return {
      applied: true,
      amounts,
      lineDiscount: 0,
      shippingDiscount: shippingLeft,
      explanation: `Coupon ${coupon.code}: free shipping`,
    };
  }
  let discount: number;
  let explanation: string;
  if (coupon.type === 'percentage') {
    discount = percentOf(base, coupon.percentOffBp);
    if (coupon.maximumDiscount !== null) discount = Math.min(discount, coupon.maximumDiscount);
    explanation = `Coupon ${coupon.code}: ${formatPercent(coupon.percentOffBp)} off`;
    if (coupon.maximumDiscount !== null) {
      explanation += `, at most ${formatMoney(coupon.maximumDiscount, currency)}`;
    }
  } else {
    discount = Math.min(coupon.amountOff, base);
    explanation = `Coupon ${coupon.code}: ${formatMoney(coupon.amountOff, currency)} off`;
  }
  if (discount > 0) {
    const shares = allocateByLargestRemainder(discount, weights);
    eligible.forEach(({ position }, index) => (amounts[position] = shares[index]!));
  }
  return { applied: true, amounts, lineDiscount: discount, shippingDiscount: 0, explanation };
}
