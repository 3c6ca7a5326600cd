import { DiscountReason } from '../../../../../lib/error-reasons.js';
import { status } from '@grpc/grpc-js';
import { AppError, failedPrecondition } from '../../../../../lib/errors.js';
import { EVERY_LINE } from '../pricing/target.js';
import type { CouponRefusal, PricingCoupon } from '../pricing/types.js';
import type { CouponRecord } from './coupon-record.js';

/** "2027-03-01 00:00 UTC": a moment as a shop can show it. */
function shown(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The refusal of a code no coupon has. */
export function unknownCoupon(code: string): CouponRefusal {
  return {
    reason: DiscountReason.COUPON_NOT_FOUND,
    message: `There is no coupon ${code}.`,
    metadata: { code },
  };
}

/**
 * Whether a coupon can be used now, in this currency, by a customer who used it `customerUses`
 * times (null: the customer is not known, the per-customer limit is left to the reservation): the
 * first refusal in the contract's order (inactive, not started, expired, currency, exhausted,
 * customer limit), or null. What depends on the lines (applicability, minimum) is the engine's.
 */
export function couponRefusal(
  coupon: CouponRecord,
  context: { currency: string; now: Date; customerUses: number | null },
): CouponRefusal | null {
  const { code } = coupon;
  if (!coupon.isActive) {
    return {
      reason: DiscountReason.COUPON_INACTIVE,
      message: `Coupon ${code} is no longer available.`,
      metadata: { code },
    };
  }
  if (coupon.startsAt && context.now < coupon.startsAt) {
    return {
      reason: DiscountReason.COUPON_NOT_STARTED,
      message: `Coupon ${code} can be used from ${shown(coupon.startsAt)}.`,
      metadata: { code, starts_at: coupon.startsAt.toISOString() },
    };
  }
  if (coupon.endsAt && context.now >= coupon.endsAt) {
    return {
      reason: DiscountReason.COUPON_EXPIRED,
      message: `Coupon ${code} expired on ${shown(coupon.endsAt)}.`,
      metadata: { code, ends_at: coupon.endsAt.toISOString() },
    };
  }
  if (coupon.currency !== context.currency) {
    return {
      reason: DiscountReason.COUPON_CURRENCY_MISMATCH,
      message: `Coupon ${code} can only be used for purchases in ${coupon.currency}.`,
      metadata: { code, coupon_currency: coupon.currency, currency_code: context.currency },
    };
  }
  if (coupon.usageLimit !== null && coupon.usageCount >= coupon.usageLimit) {
    return {
      reason: DiscountReason.COUPON_EXHAUSTED,
      message: `Coupon ${code} has been used up.`,
      metadata: { code, usage_limit: String(coupon.usageLimit) },
    };
  }
  if (
    coupon.usageLimitPerUser !== null &&
    context.customerUses !== null &&
    context.customerUses >= coupon.usageLimitPerUser
  ) {
    const times =
      coupon.usageLimitPerUser === 1 ? '' : ` ${coupon.usageLimitPerUser} times, the most allowed`;
    return {
      reason: DiscountReason.COUPON_CUSTOMER_LIMIT_REACHED,
      message: `You have already used coupon ${code}${times}.`,
      metadata: { code, usage_limit_per_customer: String(coupon.usageLimitPerUser) },
    };
  }
  return null;
}

/** A refusal as the error CheckCoupon and ReserveDiscountUsage answer. */
export function refusalError(refusal: CouponRefusal): AppError {
  if (refusal.reason === DiscountReason.COUPON_NOT_FOUND) {
    return new AppError(status.NOT_FOUND, `coupon ${refusal.metadata.code} not found`, undefined, refusal);
  }
  return failedPrecondition(refusal.message, refusal.reason, refusal.metadata);
}

/** A usable coupon as the pricing engine takes it. */
export function pricingCouponOf(coupon: CouponRecord): PricingCoupon {
  const listsNothing = coupon.applicableProducts.length === 0 && coupon.applicableCategories.length === 0;
  return {
    id: coupon.id,
    code: coupon.code,
    name: coupon.name,
    type: coupon.type,
    percentOffBp: coupon.type === 'percentage' ? coupon.discountValue : 0,
    amountOff: coupon.type === 'fixed_amount' ? coupon.discountValue : 0,
    minimumAmount: coupon.minimumAmount,
    maximumDiscount: coupon.maximumDiscount,
    target:
      listsNothing && coupon.excludedProducts.length === 0 && coupon.excludedCategories.length === 0
        ? EVERY_LINE
        : {
            productIds: coupon.applicableProducts,
            categoryIds: coupon.applicableCategories,
            excludedProductIds: coupon.excludedProducts,
            excludedCategoryIds: coupon.excludedCategories,
          },
  };
}
