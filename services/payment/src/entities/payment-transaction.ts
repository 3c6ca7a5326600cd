import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { Payment } from './payment.js';

export type PaymentTransactionType = 'authorize' | 'capture' | 'void' | 'refund';
export type PaymentTransactionStatus = 'pending' | 'succeeded' | 'failed' | 'unknown';

/**
 * Every operation sent to the provider for a payment, with its raw response. A financial record: a
 * payment that has transactions cannot be deleted. Money in minor units of `currency`. `pending`
 * while the answer is awaited, `unknown` when it was lost (the gateway is asked until it tells).
 * `idempotencyKey` is the key sent to the gateway (unique). At most one capture or void per
 * payment is not `failed`.
 */
export const PaymentTransaction = defineEntity({
  name: 'PaymentTransaction',
  tableName: 'payment_transactions',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    payment: p.manyToOne(Payment).ref().deleteRule('restrict'),
    type: p.text().$type<PaymentTransactionType>(),
    status: p.text().$type<PaymentTransactionStatus>().default('pending'),
    providerTransactionId: p.text().nullable(),
    idempotencyKey: p.text().nullable(),
    amount: money(),
    currency: p.character().length(3),
    providerResponse: p.json<Record<string, unknown>>().nullable(),
    errorMessage: p.text().nullable(),
    processedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type PaymentTransaction = InferEntity<typeof PaymentTransaction>;
