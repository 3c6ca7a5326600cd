import type { EntityManager } from '@mikro-orm/postgresql';
import { Address } from '../../../../../gen/ecommerce/common/v1/address.js';
import type { Shipment as ShipmentMessage } from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { Carrier, Shipment, ShipmentItem, ShipmentTracking } from '../../entities/index.js';
import { wireShipmentStatus } from './shipment-status.js';

/** Shipments as the contract's messages, with their lines, tracking and carriers (three queries). */
export async function shipmentMessages(
  em: EntityManager,
  shipments: readonly Shipment[],
): Promise<ShipmentMessage[]> {
  if (shipments.length === 0) return [];
  const ids = shipments.map((shipment) => shipment.id);
  const carrierIds = [
    ...new Set(shipments.flatMap((shipment) => (shipment.carrier ? [shipment.carrier.id] : []))),
  ];
  const [items, tracking, carriers] = await Promise.all([
    em.find(ShipmentItem, { shipment: { $in: ids } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    em.find(
      ShipmentTracking,
      { shipment: { $in: ids } },
      { orderBy: { occurredAt: 'asc', createdAt: 'asc', id: 'asc' } },
    ),
    carrierIds.length > 0 ? em.find(Carrier, { id: { $in: carrierIds } }) : Promise.resolve([]),
  ]);
  const codeOf = new Map(carriers.map((carrier) => [carrier.id, carrier.code]));
  return shipments.map((shipment) => ({
    id: shipment.id,
    orderId: shipment.orderId,
    status: wireShipmentStatus(shipment.status),
    carrierId: shipment.carrier?.id ?? '',
    carrierCode: (shipment.carrier && codeOf.get(shipment.carrier.id)) ?? '',
    trackingNumber: shipment.trackingNumber ?? '',
    lines: items
      .filter((item) => item.shipment.id === shipment.id)
      .map((item) => ({
        orderItemId: item.orderItemId,
        productId: item.productId,
        variantId: item.variantId,
        sku: item.sku,
        quantity: item.quantity,
      })),
    tracking: tracking
      .filter((entry) => entry.shipment.id === shipment.id)
      .map((entry) => ({
        status: wireShipmentStatus(entry.status),
        location: entry.location ?? '',
        description: entry.description ?? '',
        occurredAt: entry.occurredAt,
      })),
    destination: Address.fromPartial(shipment.destinationAddress),
    splitFromShipmentId: shipment.splitFromId ?? '',
    shippedAt: shipment.shippedAt ?? undefined,
    deliveredAt: shipment.deliveredAt ?? undefined,
    estimatedDeliveryAt: shipment.estimatedDeliveryDate ?? undefined,
    createdAt: shipment.createdAt,
    updatedAt: shipment.updatedAt,
  }));
}

export async function shipmentMessage(em: EntityManager, shipment: Shipment): Promise<ShipmentMessage> {
  return (await shipmentMessages(em, [shipment]))[0]!;
}
