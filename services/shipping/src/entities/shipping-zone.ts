import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

export type ShippingZoneType = 'country' | 'state' | 'postal_code' | 'custom';

/**
 * Where we ship: lists (JSON arrays) of ISO country codes (none: every country), states and postal
 * code patterns (a pattern may end in `*`). The most specific active zone matching an address
 * decides, `priority` between equally specific ones (domain/quote/zone-matching.ts); `type` is
 * derived from the lists.
 */
export const ShippingZone = defineEntity({
  name: 'ShippingZone',
  tableName: 'shipping_zones',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    name: p.text(),
    type: p.text().$type<ShippingZoneType>(),
    countries: p.json<string[]>().onCreate(() => []),
    states: p.json<string[]>().onCreate(() => []),
    postalCodes: p.json<string[]>().onCreate(() => []),
    priority: p.integer().default(0),
    isActive: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ShippingZone = InferEntity<typeof ShippingZone>;
