import type { EntityManager } from '@mikro-orm/postgresql';
import type { PriceCartRequest, PriceCartResponse } from '../../../../gen/ecommerce/discount/v1/discount.js';
import { checked } from '../../../../lib/validation/index.js';
import { findCouponWithCustomerUses } from './coupons/coupon-record.js';
import { couponRefusal, pricingCouponOf, unknownCoupon } from './coupons/coupon-usability.js';
import { priceCart } from './pricing/price-cart.js';
import { checkCart, checkCouponCode } from './pricing/pricing-request.js';
import { priceCartResponse, type CouponContext } from './pricing/pricing-view.js';
import type { PricingCoupon } from './pricing/types.js';
import type { RunningPromotions } from './promotions/running-promotions.js';

/**
 * PriceCart: the running promotions that may apply (from memory) and the request's coupon (one
 * read: the coupon with the customer's uses) through the pricing engine. A coupon that cannot be
 * used is priced as none, its refusal in the answer. Reads only.
 */
export async function priceCartOf(
  em: EntityManager,
  running: RunningPromotions,
  request: PriceCartRequest,
  now = new Date(),
): Promise<PriceCartResponse> {
  const { cart, code } = checked((v) => ({
    cart: checkCart(v, request, { linesRequired: true }),
    code: checkCouponCode(v, request.couponCode, false),
  }));
  let coupon: PricingCoupon | undefined;
  let context: CouponContext | undefined;
  if (code !== '') {
    const found = await findCouponWithCustomerUses(em, code, cart.customer);
    if (!found) {
      context = { code, refusal: unknownCoupon(code) };
    } else {
      const refusal = couponRefusal(found.coupon, {
        currency: cart.currency,
        now,
        customerUses: found.customerUses,
      });
      const source = {
        kind: 'coupon' as const,
        id: found.coupon.id,
        name: found.coupon.name,
        code: found.coupon.code,
      };
      context = { code: found.coupon.code, source, refusal: refusal ?? undefined };
      if (!refusal) coupon = pricingCouponOf(found.coupon);
    }
  }
  const result = priceCart({
    currency: cart.currency,
    lines: cart.lines,
    shipping: cart.shipping,
    promotions: running.candidatesFor(cart.lines, now),
    coupon,
  });
  return priceCartResponse(result, context);
}
