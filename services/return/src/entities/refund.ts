import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { ReturnRequest, type RefundMethod } from './return-request.js';

export type ReturnRefundStatus = 'pending' | 'processing' | 'completed' | 'failed';

/**
 * The refund of a return, coordinated with the payment service. `paymentId` (payment; null for
 * store credit), `orderId` (order) and `userId` (auth) are cross-service; `paymentRefundId` is
 * the payment service's refund once it answered. `amount` > 0 in minor units of `currency`.
 * `idempotencyKey` (unique) is what the payment service is called with, so a retry refunds once.
 * A request with refunds cannot be deleted.
 */
export const Refund = defineEntity({
  name: 'Refund',
  tableName: 'refunds',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    returnRequest: p.manyToOne(ReturnRequest).ref().deleteRule('restrict'),
    paymentId: p.uuid().nullable(),
    orderId: p.uuid(),
    userId: p.uuid(),
    refundMethod: p.text().$type<RefundMethod>(),
    amount: money(),
    currency: p.character().length(3),
    status: p.text().$type<ReturnRefundStatus>().default('pending'),
    reason: p.text().nullable(),
    paymentRefundId: p.uuid().nullable(),
    idempotencyKey: p.text(),
    failureMessage: p.text().nullable(),
    processedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Refund = InferEntity<typeof Refund>;
