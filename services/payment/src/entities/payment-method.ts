import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

export type PaymentMethodType = 'card' | 'bank_account' | 'paypal' | 'wallet';

/**
 * The vault: a customer's (`userId`, an auth user; cross-service) stored payment method.
 * `providerToken` is the provider's token encrypted by the service (AES-256-GCM, key id inside the
 * ciphertext), never in clear. At most one default per user (partial unique index). A deleted
 * method keeps its row (so its idempotency key stays taken) with `deletedAt` set and the token
 * cleared.
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
    provider: p.text(),
    providerToken: p.text().hidden(),
    brand: p.text().nullable(),
    last4: p.character().length(4).nullable(),
    expiryMonth: p.smallint().nullable(),
    expiryYear: p.smallint().nullable(),
    isDefault: p.boolean().default(false),
    /** The caller's retry key (unique per user) and the SHA-256 of the request it came with. */
    idempotencyKey: p.text().nullable(),
    requestHash: p.text().nullable(),
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type PaymentMethod = InferEntity<typeof PaymentMethod>;
