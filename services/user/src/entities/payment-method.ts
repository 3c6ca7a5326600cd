import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Address } from './address.js';

export type PaymentMethodType = 'card' | 'bank_account' | 'paypal' | 'wallet';

/**
 * The customer's wallet as shown to them. `paymentMethodRef` is the id of the vaulted method in
 * the payment service (cross-service, one wallet entry per vaulted method); the provider token never
 * enters user_db. At most one default per user (partial unique index).
 */
export const PaymentMethod = defineEntity({
  name: 'PaymentMethod',
  tableName: 'payment_methods',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    userId: p.uuid(),
    type: p.text().$type<PaymentMethodType>(),
    isDefault: p.boolean().default(false),
    brand: p.text().nullable(),
    last4: p.character().length(4).nullable(),
    expiryMonth: p.smallint().nullable(),
    expiryYear: p.smallint().nullable(),
    cardholderName: p.text().nullable(),
    billingAddress: p.manyToOne(Address).ref().nullable().deleteRule('set null'),
    paymentMethodRef: p.uuid(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type PaymentMethod = InferEntity<typeof PaymentMethod>;
