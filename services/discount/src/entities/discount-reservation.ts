import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { Coupon } from './coupon.js';

export type ReservationStatus = 'reserved' | 'redeemed' | 'released';
export type ReleaseCause = 'released' | 'expired' | 'released_before_reserved';

/** One promotion an order applied, with the discount it gave (minor units). */
export interface ReservedPromotion {
  promotionId: string;
  discount: number;
}

/**
 * What one order reserved of the discounts (its coupon and the promotions it applied), keyed by
 * the order id, which is ReserveDiscountUsage's idempotency key (`requestHash` tells a repeat from
 * another request). Reserved, then redeemed or released (by the order, or by expiry past
 * `expiresAt`); a release that arrives first leaves a `released_before_reserved` row with no
 * customer. The customer is a user (`userId`, auth) or a guest (`guestEmail`); `orderId` (order)
 * is cross-service.
 */
export const DiscountReservation = defineEntity({
  name: 'DiscountReservation',
  tableName: 'discount_reservations',
  properties: {
    orderId: p.uuid().primary(),
    status: p.text().$type<ReservationStatus>(),
    userId: p.uuid().nullable(),
    guestEmail: p.text().nullable(),
    currency: p.character().length(3).nullable(),
    coupon: p.manyToOne(Coupon).ref().nullable().deleteRule('restrict'),
    couponCode: p.text().nullable(),
    couponDiscount: money().nullable(),
    promotions: p.json<ReservedPromotion[]>().onCreate(() => []),
    requestHash: p.text(),
    releaseCause: p.text().$type<ReleaseCause>().nullable(),
    reservedAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    redeemedAt: p.datetime().nullable(),
    releasedAt: p.datetime().nullable(),
  },
});
export type DiscountReservation = InferEntity<typeof DiscountReservation>;
