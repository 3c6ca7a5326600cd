import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { ShippingZone } from './shipping-zone.js';

export type ShippingServiceType = 'standard' | 'express' | 'overnight';

/**
 * A shipping method offered in a zone, deleted with it (unless shipments used it). `carrierCode` is
 * a carrier's `code` (deferred foreign key: a carrier and its methods may be inserted in one flush).
 * Prices in minor units of `currency`: base + per kg + per item, then the weight/amount tiers of
 * ShippingRate. `estimatedDays` is the promised transit time.
 */
export const ShippingMethod = defineEntity({
  name: 'ShippingMethod',
  tableName: 'shipping_methods',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    zone: p.manyToOne(ShippingZone).ref().deleteRule('cascade'),
    name: p.text(),
    carrierCode: p.text(),
    serviceType: p.text().$type<ShippingServiceType>(),
    basePrice: money(),
    pricePerKg: money().default(0),
    pricePerItem: money().default(0),
    currency: p.character().length(3),
    estimatedDays: p.integer(),
    isActive: p.boolean().default(true),
    configuration: p.json<Record<string, unknown>>().onCreate(() => ({})),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ShippingMethod = InferEntity<typeof ShippingMethod>;
