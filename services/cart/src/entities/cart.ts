import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';

export type CartStatus = 'active' | 'merged' | 'converted' | 'abandoned';

/**
 * A cart: a signed-in customer's (`userId`, an auth user from the JWT) or a guest's (`sessionId`);
 * the database requires one of the two. At most one active cart per user (partial unique index); a
 * guest session may hold several. `subtotal`, `discountAmount` and `totalAmount` are cached totals in
 * minor units of `currency`; `convertedOrderId` (an order, cross-service) is required once the
 * cart is `converted`; `mergedIntoCartId` (a cart of this database) once it is `merged`. `version`
 * is raised by one by every statement that changes the cart (its lines, coupon or status).
 */
export const Cart = defineEntity({
  name: 'Cart',
  tableName: 'carts',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    userId: p.uuid().nullable(),
    sessionId: p.text().nullable(),
    status: p.text().$type<CartStatus>().default('active'),
    currency: p.character().length(3),
    couponCode: p.text().nullable(),
    subtotal: money().default(0),
    discountAmount: money().default(0),
    totalAmount: money().default(0),
    itemCount: p.integer().default(0),
    expiresAt: p.datetime().nullable(),
    convertedOrderId: p.uuid().nullable(),
    mergedIntoCartId: p.uuid().nullable(),
    version: p.integer().default(1),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Cart = InferEntity<typeof Cart>;
