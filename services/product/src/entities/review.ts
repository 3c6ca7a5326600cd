import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Product } from './product.js';

/**
 * A review of a product by an auth user (`userId`, from the JWT; cross-service), one per product and
 * user, rating 1–5; pending until an editor approves it (`isApproved`) or rejects it (`rejectedAt`). `orderId` is the delivered order that made it a verified purchase, if any.
 */
export const Review = defineEntity({
  name: 'Review',
  tableName: 'reviews',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    product: p.manyToOne(Product).ref().deleteRule('cascade'),
    userId: p.uuid(),
    orderId: p.uuid().nullable(),
    rating: p.smallint(),
    title: p.text().nullable(),
    comment: p.text().nullable(),
    isVerifiedPurchase: p.boolean().default(false),
    isApproved: p.boolean().default(false),
    rejectedAt: p.datetime().nullable(),
    helpfulCount: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Review = InferEntity<typeof Review>;
