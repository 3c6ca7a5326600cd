import { EVERY_LINE } from '../src/domain/pricing/target.js';
import type {
  CartLine,
  PricingCoupon,
  PricingPromotion,
  PromotionRule,
  Target,
} from '../src/domain/pricing/types.js';

/** Small builders of the pricing engine's input, for tables of cases. */

export function line(
  lineId: string,
  unitPrice: number,
  quantity = 1,
  more: Partial<CartLine> = {},
): CartLine {
  return {
    lineId,
    productId: `product-${lineId}`,
    variantId: `variant-${lineId}`,
    categoryIds: [],
    unitPrice,
    quantity,
    ...more,
  };
}

export function target(more: Partial<Target> = {}): Target {
  return { ...EVERY_LINE, ...more };
}

export function promotion(
  id: string,
  rule: PromotionRule,
  more: Partial<Omit<PricingPromotion, 'rule'>> = {},
): PricingPromotion {
  return { id, name: `Promotion ${id}`, priority: 0, stackable: true, currency: null, rule, ...more };
}

export function percentOff(bp: number, on: Target = EVERY_LINE): PromotionRule {
  return { kind: 'product_discount', target: on, benefit: { type: 'percent', bp } };
}

export function coupon(more: Partial<PricingCoupon> = {}): PricingCoupon {
  return {
    id: 'coupon-1',
    code: 'SAVE',
    name: 'Save',
    type: 'percentage',
    percentOffBp: 1000,
    amountOff: 0,
    minimumAmount: null,
    maximumDiscount: null,
    target: EVERY_LINE,
    ...more,
  };
}
