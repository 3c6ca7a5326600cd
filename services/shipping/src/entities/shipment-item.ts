import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Shipment } from './shipment.js';

/**
 * Units of one order line in a shipment (the line as order.order.confirmed gave it), at most one
 * row per line and shipment; deleted with its shipment. The units of a line across the shipments
 * of its order add up to what was ordered: a split only moves them.
 */
export const ShipmentItem = defineEntity({
  name: 'ShipmentItem',
  tableName: 'shipment_items',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    shipment: p.manyToOne(Shipment).ref().deleteRule('cascade'),
    orderItemId: p.uuid(),
    productId: p.uuid(),
    variantId: p.uuid(),
    sku: p.text(),
    quantity: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ShipmentItem = InferEntity<typeof ShipmentItem>;
