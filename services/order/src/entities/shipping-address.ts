import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Order } from './order.js';

/**
 * Where an order ships to: a snapshot taken at order time, one per order. `name` is the recipient
 * as the label shows it, `firstName`/`lastName` as the shopper gave them. `country` is ISO 3166-1
 * alpha-2.
 */
export const ShippingAddress = defineEntity({
  name: 'ShippingAddress',
  tableName: 'shipping_addresses',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    order: p.oneToOne(Order).ref().owner().deleteRule('cascade'),
    name: p.text(),
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
  },
});
export type ShippingAddress = InferEntity<typeof ShippingAddress>;
