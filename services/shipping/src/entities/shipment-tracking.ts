import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Shipment, type ShipmentStatus } from './shipment.js';

/**
 * One tracking event of a shipment, as the carrier reported it; deleted with its shipment.
 * `eventKey` is the carrier's own key for the event (unique per shipment), so a report heard twice
 * is recorded once.
 */
export const ShipmentTracking = defineEntity({
  name: 'ShipmentTracking',
  tableName: 'shipment_tracking',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    shipment: p.manyToOne(Shipment).ref().deleteRule('cascade'),
    status: p.text().$type<ShipmentStatus>(),
    location: p.text().nullable(),
    description: p.text().nullable(),
    occurredAt: p.datetime(),
    carrierData: p.json<Record<string, unknown>>().nullable(),
    eventKey: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ShipmentTracking = InferEntity<typeof ShipmentTracking>;
