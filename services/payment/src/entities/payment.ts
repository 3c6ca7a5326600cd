import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { PaymentMethod } from './payment-method.js';

export type PaymentStatus =
  'pending' | 'authorized' | 'captured' | 'partially_refunded' | 'refunded' | 'voided' | 'failed';

/**
 * One payment per order attempt, by a customer (`userId`, auth) or a guest (`guestEmail`): one of
 * the two. `orderId` (order) is cross-service. Money in minor units of `currency`; the database
 * holds 0 ≤ amountRefunded + amountRefundReserved ≤ amountCaptured ≤ amountAuthorized ≤ amount,
 * so no capture exceeds the hold and no refund (under way ones included) exceeds the capture.
 * `idempotencyKey` is unique, with the hash of the request it came with: a retried authorisation
 * finds the first payment. `orderConfirmedAt`: the order service confirmed the order with this
 * payment (a payment holding money without it past the grace period is given back). Deleting a
 * vaulted method leaves its payments with `paymentMethod` null.
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
    userId: p.uuid().nullable(),
    guestEmail: p.text().nullable(),
    paymentMethod: p.manyToOne(PaymentMethod).ref().nullable().deleteRule('set null'),
    status: p.text().$type<PaymentStatus>().default('pending'),
    provider: p.text(),
    providerPaymentId: p.text().nullable(),
    amount: money(),
    amountAuthorized: money().default(0),
    amountCaptured: money().default(0),
    amountRefunded: money().default(0),
    amountRefundReserved: money().default(0),
    currency: p.character().length(3),
    idempotencyKey: p.text(),
    requestHash: p.text().nullable(),
    orderConfirmedAt: p.datetime().nullable(),
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
