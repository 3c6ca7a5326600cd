import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Who an order's mail goes to and the number people know it by, learnt from
 * `order.order.confirmed` and `order.order.cancelled`, for the events that name only the order
 * (`payment.payment.refunded`). `userId` (auth) for a customer's order, `guestEmail` for a guest's.
 */
export const OrderContact = defineEntity({
  name: 'OrderContact',
  tableName: 'order_contacts',
  properties: {
    orderId: p.uuid().primary(),
    orderNumber: p.text(),
    userId: p.uuid().nullable(),
    guestEmail: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type OrderContact = InferEntity<typeof OrderContact>;
