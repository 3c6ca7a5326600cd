import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { Coupon } from './coupon.js';

export type CouponUsageStatus = 'reserved' | 'redeemed' | 'released';

/**
 * A coupon's use by an order: reserved during checkout, then redeemed or released. One per
 * (coupon, order), so a retried reservation finds the first. The customer is a user (`userId`, auth)
 * or a guest (`guestEmail`, lower-cased), one of the two; `orderId` (order) is cross-service.
 * `usedAt` is when it was redeemed. A coupon with usages cannot be deleted.
 */
export const CouponUsage = defineEntity({
  name: 'CouponUsage',
  tableName: 'coupon_usage',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    coupon: p.manyToOne(Coupon).ref().deleteRule('restrict'),
    userId: p.uuid().nullable(),
    /** A guest's email, lower-cased, when the order has no user. */
    guestEmail: p.text().nullable(),
    orderId: p.uuid(),
    discountAmount: money(),
    currency: p.character().length(3),
    status: p.text().$type<CouponUsageStatus>().default('reserved'),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type CouponUsage = InferEntity<typeof CouponUsage>;
