import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

export type AddressType = 'shipping' | 'billing' | 'both';

/**
 * A customer's address. At most one default per (user, type): a partial unique index, so setting a
 * new default means clearing the old one first, in the same transaction. `country` is ISO 3166-1
 * alpha-2, upper case.
 */
export const Address = defineEntity({
  name: 'Address',
  tableName: 'addresses',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    userId: p.uuid(),
    type: p.text().$type<AddressType>(),
    isDefault: p.boolean().default(false),
    firstName: p.text(),
    lastName: p.text(),
    company: p.text().nullable(),
    line1: p.text(),
    line2: p.text().nullable(),
    city: p.text(),
    state: p.text().nullable(),
    postalCode: p.text().nullable(),
    country: p.character().length(2),
    phone: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Address = InferEntity<typeof Address>;
