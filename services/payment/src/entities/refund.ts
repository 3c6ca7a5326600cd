import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { Payment } from './payment.js';

export type RefundStatus = 'pending' | 'processing' | 'completed' | 'failed';

/**
 * A refund sent to the provider against a payment. `orderId` (order) and `returnRequestId`
 * (return, null for refunds not caused by a return) are cross-service. `amount` > 0 in minor units
 * of `currency`; `idempotencyKey` is unique (with the hash of its request), so a retried refund
 * is the same refund. A financial
 * record: a payment with refunds cannot be deleted.
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
    payment: p.manyToOne(Payment).ref().deleteRule('restrict'),
    orderId: p.uuid(),
    returnRequestId: p.uuid().nullable(),
    reason: p.text().nullable(),
    amount: money(),
    currency: p.character().length(3),
    status: p.text().$type<RefundStatus>().default('pending'),
    providerRefundId: p.text().nullable(),
    idempotencyKey: p.text(),
    requestHash: p.text().nullable(),
    /** The refund's operation at the gateway (payment_transactions). */
    paymentTransactionId: p.uuid().nullable(),
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
