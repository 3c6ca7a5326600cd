import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { Promotion } from './promotion.js';

/**
 * A promotion applied to a confirmed order, once per (promotion, order). The customer is a user
 * (`userId`, auth) or a guest (`guestEmail`, lower-cased); `orderId` (order) is cross-service. A
 * promotion with usages cannot be deleted.
 */
export const PromotionUsage = defineEntity({
  name: 'PromotionUsage',
  tableName: 'promotion_usage',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    promotion: p.manyToOne(Promotion).ref().deleteRule('restrict'),
    userId: p.uuid().nullable(),
    /** A guest's email, lower-cased, when the order has no user. */
    guestEmail: p.text().nullable(),
    orderId: p.uuid(),
    discountAmount: money(),
    currency: p.character().length(3),
    usedAt: p.datetime().onCreate(() => new Date()),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type PromotionUsage = InferEntity<typeof PromotionUsage>;
