import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { Order } from './order.js';

/**
 * A line of an order, snapshotted at order time (product and variant are the product service's:
 * cross-service). Money in minor units of `currency`; the database holds
 * totalPrice = unitPrice × quantity − discountAmount (before tax: the line's total with its tax is
 * totalPrice + taxAmount) and quantity > 0.
 */
export const OrderItem = defineEntity({
  name: 'OrderItem',
  tableName: 'order_items',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    order: p.manyToOne(Order).ref().deleteRule('cascade'),
    productId: p.uuid(),
    variantId: p.uuid(),
    productName: p.text(),
    productSku: p.text(),
    productImageUrl: p.text().nullable(),
    unitPrice: money(),
    quantity: p.integer(),
    discountAmount: money().default(0),
    totalPrice: money(),
    taxAmount: money().default(0),
    currency: p.character().length(3),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type OrderItem = InferEntity<typeof OrderItem>;
