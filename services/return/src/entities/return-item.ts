import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { ReturnRequest, type ReturnReason } from './return-request.js';

export type ItemCondition = 'new' | 'used' | 'damaged' | 'defective';

/**
 * A returned line: an order item (`orderItemId`, order service) once per request. Product and
 * variant are the product service's. Money in minor units of `currency`; the database holds
 * quantity > 0 and refundAmount ≤ unitPrice × quantity. `condition` is set on inspection.
 */
export const ReturnItem = defineEntity({
  name: 'ReturnItem',
  tableName: 'return_items',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    returnRequest: p.manyToOne(ReturnRequest).ref().deleteRule('cascade'),
    orderItemId: p.uuid(),
    productId: p.uuid(),
    variantId: p.uuid(),
    productName: p.text(),
    productSku: p.text(),
    quantity: p.integer(),
    unitPrice: money(),
    refundAmount: money().default(0),
    currency: p.character().length(3),
    returnReason: p.text().$type<ReturnReason>().nullable(),
    condition: p.text().$type<ItemCondition>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ReturnItem = InferEntity<typeof ReturnItem>;
