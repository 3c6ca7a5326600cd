import type { Money } from '../../../../../gen/ecommerce/common/v1/money.js';
import type { Coupon, CouponSummary } from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { couponTypeMessage } from './coupon-fields.js';
import type { CouponRecord } from './coupon-record.js';

function money(amount: number | null, currency: string): Money | undefined {
  return amount === null ? undefined : { currencyCode: currency, amountMinor: amount };
}

export function couponMessage(coupon: CouponRecord): Coupon {
  return {
    id: coupon.id,
    code: coupon.code,
    name: coupon.name,
    description: coupon.description ?? '',
    type: couponTypeMessage(coupon.type),
    percentOffBp: coupon.type === 'percentage' ? coupon.discountValue : 0,
    amountOff: coupon.type === 'fixed_amount' ? money(coupon.discountValue, coupon.currency) : undefined,
    currencyCode: coupon.currency,
    minimumAmount: money(coupon.minimumAmount, coupon.currency),
    maximumDiscount: money(coupon.maximumDiscount, coupon.currency),
    usageLimit: coupon.usageLimit ?? 0,
    usageLimitPerCustomer: coupon.usageLimitPerUser ?? 0,
    usageCount: coupon.usageCount,
    startsAt: coupon.startsAt ?? undefined,
    endsAt: coupon.endsAt ?? undefined,
    active: coupon.isActive,
    applicableProductIds: coupon.applicableProducts,
    applicableCategoryIds: coupon.applicableCategories,
    excludedProductIds: coupon.excludedProducts,
    excludedCategoryIds: coupon.excludedCategories,
    createdAt: coupon.createdAt,
    updatedAt: coupon.updatedAt,
  };
}

/** What a customer may see of a coupon (no usage figures). */
export function couponSummary(coupon: CouponRecord): CouponSummary {
  const full = couponMessage(coupon);
  return {
    id: full.id,
    code: full.code,
    name: full.name,
    description: full.description,
    type: full.type,
    percentOffBp: full.percentOffBp,
    amountOff: full.amountOff,
    minimumAmount: full.minimumAmount,
    maximumDiscount: full.maximumDiscount,
    endsAt: full.endsAt,
  };
}
