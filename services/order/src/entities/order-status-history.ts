import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Order, type OrderStatus } from './order.js';

/**
 * One status change of an order: append-only, partitioned by month on `created_at` (the table's
 * primary key is (id, created_at), the entity's is `id`). `changedBy` is a user id or `system`.
 */
export const OrderStatusHistory = defineEntity({
  name: 'OrderStatusHistory',
  tableName: 'order_status_history',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    order: p.manyToOne(Order).ref().deleteRule('cascade'),
    status: p.text().$type<OrderStatus>(),
    previousStatus: p.text().$type<OrderStatus>().nullable(),
    changedBy: p.text(),
    reason: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type OrderStatusHistory = InferEntity<typeof OrderStatusHistory>;
