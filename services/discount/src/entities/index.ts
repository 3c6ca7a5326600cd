import { CouponUsage } from './coupon-usage.js';
import { Coupon } from './coupon.js';
import { DiscountReservation } from './discount-reservation.js';
import { PromotionRule } from './promotion-rule.js';
import { PromotionUsage } from './promotion-usage.js';
import { Promotion } from './promotion.js';

export { Coupon, CouponUsage, DiscountReservation, Promotion, PromotionRule, PromotionUsage };

export const discountEntities = [
  Coupon,
  CouponUsage,
  DiscountReservation,
  Promotion,
  PromotionRule,
  PromotionUsage,
];
