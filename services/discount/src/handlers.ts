import type { MikroORM } from '@mikro-orm/postgresql';
import { DiscountServiceService } from '../../../gen/ecommerce/discount/v1/discount.js';
import { allow } from '../../../lib/auth/access-rule.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { checkCoupon } from './domain/check-coupon.js';
import { couponMessage } from './domain/coupons/coupon-view.js';
import { createCoupon } from './domain/coupons/create-coupon.js';
import { deactivateCoupon } from './domain/coupons/deactivate-coupon.js';
import { getCoupon } from './domain/coupons/get-coupon.js';
import { listCoupons } from './domain/coupons/list-coupons.js';
import { updateCoupon } from './domain/coupons/update-coupon.js';
import { priceCartOf } from './domain/price-cart.js';
import { createPromotion } from './domain/promotions/create-promotion.js';
import { promotionMessage } from './domain/promotions/promotion-view.js';
import { getPromotion, listPromotions } from './domain/promotions/read-promotions.js';
import type { RunningPromotions } from './domain/promotions/running-promotions.js';
import { setPromotionStatus } from './domain/promotions/set-promotion-status.js';
import { updatePromotion } from './domain/promotions/update-promotion.js';
import { redeemDiscountUsage } from './domain/usage/redeem-usage.js';
import { releaseDiscountUsage } from './domain/usage/release-usage.js';
import { reservationMessage } from './domain/usage/reservation-record.js';
import type { CouponRush } from './domain/usage/coupon-rush.js';
import { reserveDiscountUsage } from './domain/usage/reserve-usage.js';

export interface DiscountDeps {
  running: RunningPromotions;
  rush: CouponRush;
  reservationTtlSeconds: number;
}

/**
 * Coupons and promotions are the shop staff's (discount:write to change; discount:read or
 * discount:write to read);
 * pricing is for the cart and the checkout (platform services) and staff who may read discounts;
 * coupon checks and usage are for platform services only.
 */
export function discountHandlers(
  orm: MikroORM,
  deps: DiscountDeps,
): ServiceHandlers<typeof DiscountServiceService> {
  const write = allow.permission('discount:write');
  // Whoever may change discounts may read them (the catalog manager holds discount:write alone).
  const read = allow.anyOf(allow.permission('discount:read'), write);
  const internal = allow.internal();
  const { running } = deps;
  return {
    createCoupon: {
      access: write,
      handle: async (request) => ({ coupon: couponMessage(await createCoupon(orm.em.fork(), request)) }),
    },
    updateCoupon: {
      access: write,
      handle: async (request) => ({ coupon: couponMessage(await updateCoupon(orm.em.fork(), request)) }),
    },
    deactivateCoupon: {
      access: write,
      handle: async (request) => ({
        coupon: couponMessage(await deactivateCoupon(orm.em.fork(), request.couponId)),
      }),
    },
    getCoupon: {
      access: read,
      handle: async (request) => ({ coupon: couponMessage(await getCoupon(orm.em.fork(), request)) }),
    },
    listCoupons: {
      access: read,
      handle: async (request) => {
        const { coupons, nextPageToken } = await listCoupons(orm.em.fork(), request);
        return { coupons: coupons.map(couponMessage), page: { nextPageToken } };
      },
    },
    createPromotion: {
      access: write,
      handle: async (request) => ({
        promotion: promotionMessage(await createPromotion(orm.em.fork(), running, request), new Date()),
      }),
    },
    updatePromotion: {
      access: write,
      handle: async (request) => ({
        promotion: promotionMessage(await updatePromotion(orm.em.fork(), running, request), new Date()),
      }),
    },
    setPromotionStatus: {
      access: write,
      handle: async (request) => ({
        promotion: promotionMessage(await setPromotionStatus(orm.em.fork(), running, request), new Date()),
      }),
    },
    getPromotion: {
      access: read,
      handle: async (request) => ({
        promotion: promotionMessage(await getPromotion(orm.em.fork(), request.promotionId), new Date()),
      }),
    },
    listPromotions: {
      access: read,
      handle: async (request) => {
        const now = new Date();
        const { promotions, nextPageToken } = await listPromotions(orm.em.fork(), request, now);
        return { promotions: promotions.map((p) => promotionMessage(p, now)), page: { nextPageToken } };
      },
    },
    priceCart: {
      access: allow.anyOf(internal, read),
      handle: (request) => priceCartOf(orm.em.fork(), running, request),
    },
    checkCoupon: {
      access: internal,
      handle: (request) => checkCoupon(orm.em.fork(), running, request),
    },
    reserveDiscountUsage: {
      access: internal,
      handle: async (request) => ({
        reservation: reservationMessage(
          await reserveDiscountUsage(orm.em.fork(), deps.rush, request, deps.reservationTtlSeconds),
        ),
      }),
    },
    redeemDiscountUsage: {
      access: internal,
      handle: async (request) => ({
        reservation: reservationMessage(await redeemDiscountUsage(orm.em.fork(), request.orderId)),
      }),
    },
    releaseDiscountUsage: {
      access: internal,
      handle: async (request) => ({
        reservation: reservationMessage(await releaseDiscountUsage(orm.em.fork(), request.orderId)),
      }),
    },
  };
}
