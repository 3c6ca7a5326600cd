import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  CheckCouponRequest,
  CheckCouponResponse,
} from '../../../../gen/ecommerce/discount/v1/discount.js';
import { checked } from '../../../../lib/validation/index.js';
import { findCouponWithCustomerUses } from './coupons/coupon-record.js';
import { couponRefusal, pricingCouponOf, refusalError, unknownCoupon } from './coupons/coupon-usability.js';
import { couponSummary } from './coupons/coupon-view.js';
import { priceCart } from './pricing/price-cart.js';
import { checkCart, checkCouponCode } from './pricing/pricing-request.js';
import type { RunningPromotions } from './promotions/running-promotions.js';

/**
 * CheckCoupon: whether the coupon can be used by this customer in this currency, and, with lines,
 * on them after the promotions (as PriceCart would judge it). Refusals are errors here, with the
 * same reasons PriceCart puts in its answer.
 */
export async function checkCoupon(
  em: EntityManager,
  running: RunningPromotions,
  request: CheckCouponRequest,
  now = new Date(),
): Promise<CheckCouponResponse> {
  const { cart, code } = checked((v) => ({
    cart: checkCart(v, request, { linesRequired: false }),
    code: checkCouponCode(v, request.couponCode, true),
  }));
  const found = await findCouponWithCustomerUses(em, code, cart.customer);
  if (!found) throw refusalError(unknownCoupon(code));
  const refusal = couponRefusal(found.coupon, {
    currency: cart.currency,
    now,
    customerUses: found.customerUses,
  });
  if (refusal) throw refusalError(refusal);
  let discount = 0;
  if (cart.lines.length > 0) {
    const result = priceCart({
      currency: cart.currency,
      lines: cart.lines,
      shipping: 0,
      promotions: running.candidatesFor(cart.lines, now),
      coupon: pricingCouponOf(found.coupon),
    });
    if (result.coupon?.refusal) throw refusalError(result.coupon.refusal);
    discount = result.coupon?.discount ?? 0;
  }
  return {
    coupon: couponSummary(found.coupon),
    discount: { currencyCode: cart.currency, amountMinor: discount },
  };
}
