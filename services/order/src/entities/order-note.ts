import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Order } from './order.js';

/** A note on an order; internal notes are for staff only. `createdBy` is a user id or `system`. */
export const OrderNote = defineEntity({
  name: 'OrderNote',
  tableName: 'order_notes',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    order: p.manyToOne(Order).ref().deleteRule('cascade'),
    note: p.text(),
    createdBy: p.text(),
    isInternal: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type OrderNote = InferEntity<typeof OrderNote>;
