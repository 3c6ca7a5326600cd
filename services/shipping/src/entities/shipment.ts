import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { Carrier } from './carrier.js';
import { ShippingMethod } from './shipping-method.js';

export type ShipmentStatus =
  'pending' | 'shipped' | 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception' | 'cancelled';

/**
 * A parcel of an order (`orderId` and its customer `userId`, the order service's; cross-service;
 * no user for a guest's order). Created pending without a carrier; `carrier`, `trackingNumber`
 * (unique) and `shippedAt` are set when it ships. `splitFrom`: the shipment it was split off; the
 * order's first shipment has none (one per order). Its lines are ShipmentItems. `weight` in kilograms (decimal string), `cost` in minor units of
 * `currency`; addresses are JSON snapshots. Carriers and methods that shipments used cannot be
 * deleted (deactivate them instead). The database requires `deliveredAt` once delivered.
 */
export const Shipment = defineEntity({
  name: 'Shipment',
  tableName: 'shipments',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    orderId: p.uuid(),
    userId: p.uuid().nullable(),
    carrier: p.manyToOne(Carrier).ref().nullable().deleteRule('restrict'),
    method: p.manyToOne(ShippingMethod).ref().nullable().deleteRule('restrict'),
    trackingNumber: p.text().nullable(),
    status: p.text().$type<ShipmentStatus>().default('pending'),
    weight: p.decimal().precision(10).scale(3).nullable(),
    cost: money().default(0),
    currency: p.character().length(3),
    originAddress: p.json<Record<string, unknown>>(),
    destinationAddress: p.json<Record<string, unknown>>(),
    shippedAt: p.datetime().nullable(),
    estimatedDeliveryDate: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
    carrierResponse: p.json<Record<string, unknown>>().nullable(),
    splitFromId: p.uuid().nullable(),
    cancelledAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Shipment = InferEntity<typeof Shipment>;
