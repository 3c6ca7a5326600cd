import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';

export type WishlistProductStatus = 'available' | 'unavailable';

/**
 * A product on a user's wishlist (once per user and product). Name, image and price are copies
 * from the product service, refreshed by its events; `productPrice` is in minor units.
 */
export const WishlistItem = defineEntity({
  name: 'WishlistItem',
  tableName: 'wishlist_items',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    userId: p.uuid(),
    productId: p.uuid(),
    productName: p.text(),
    productSlug: p.text().default(''),
    productImageUrl: p.text().nullable(),
    productStatus: p.text().$type<WishlistProductStatus>().default('available'),
    /** The product's own `updated_at` when copied: product events older than it are ignored. */
    productUpdatedAt: p.datetime().nullable(),
    productPrice: money(),
    currency: p.character().length(3),
    notes: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type WishlistItem = InferEntity<typeof WishlistItem>;
