import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { Cart } from './cart.js';

/**
 * A cart line: one per (cart, variant), quantity > 0. Product and variant are the product
 * service's (cross-service, checked by gRPC); name, SKU, image and `unitPrice` (minor units of
 * `currency`, the cart's) are snapshots, re-checked at checkout. Deleted with its cart.
 */
export const CartItem = defineEntity({
  name: 'CartItem',
  tableName: 'cart_items',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    cart: p.manyToOne(Cart).ref().deleteRule('cascade'),
    productId: p.uuid(),
    variantId: p.uuid(),
    productName: p.text(),
    productSku: p.text(),
    productImageUrl: p.text().nullable(),
    unitPrice: money(),
    currency: p.character().length(3),
    quantity: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type CartItem = InferEntity<typeof CartItem>;
