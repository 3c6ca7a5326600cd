import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { PaymentMethod } from './payment-method.js';

export type PaymentStatus =
  'pending' | 'authorized' | 'succeeded' | 'failed' | 'cancelled' | 'refunded' | 'partially_refunded';

/**
 * One payment per order attempt. `orderId` (order) and `userId` (auth) are cross-service. Money
 * in minor units of `currency`; the database holds 0 ≤ amountRefunded ≤ amount, so no refund can
 * exceed what was paid. `idempotencyKey` is unique: a retried charge finds the first payment.
 * Deleting a vaulted method leaves its payments with `paymentMethod` null.
 */
export const Payment = defineEntity({
  name: 'Payment',
  tableName: 'payments',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    orderId: p.uuid(),
    userId: p.uuid(),
    paymentMethod: p.manyToOne(PaymentMethod).ref().nullable().deleteRule('set null'),
    status: p.text().$type<PaymentStatus>().default('pending'),
    provider: p.text(),
    providerPaymentId: p.text().nullable(),
    amount: money(),
    amountRefunded: money().default(0),
    currency: p.character().length(3),
    idempotencyKey: p.text(),
    failureCode: p.text().nullable(),
    failureMessage: p.text().nullable(),
    metadata: p.json<Record<string, unknown>>().onCreate(() => ({})),
    processedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Payment = InferEntity<typeof Payment>;
