import type { EntityManager } from '@mikro-orm/postgresql';
import type { Shipment as ShipmentMessage } from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { ShipmentShippedEvent } from '../../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../../lib/events/index.js';
import { checked } from '../../../../../lib/validation/index.js';
import { Carrier, Shipment, ShipmentItem, ShipmentTracking } from '../../entities/index.js';
import type { CarrierAdapters } from '../carriers/carrier-adapter.js';
import { eventLinesOf, lockOrderShipments, orderProgressOf } from './order-shipments.js';
import { notPending } from './shipment-refusals.js';
import { shipmentStatuses } from './shipment-status.js';
import type { ShipmentApproval } from './shipment-approval.js';
import { shipmentMessage } from './shipment-view.js';

export interface MarkShipmentShippedInput {
  shipmentId: string;
  carrierId: string;
}

/** A shipment already handed to `carrierId` (answered as it is), else why it cannot ship. */
function alreadyShippedBy(shipment: Shipment, carrierId: string): boolean {
  if (shipment.status === 'pending') return false;
  if (shipment.status !== 'cancelled' && shipment.carrier?.id === carrierId) return true;
  throw notPending(shipment);
}

/**
 * MarkShipmentShipped: the order service approves first (ApproveShipment: refused once the order is
 * cancelled, and from then on the order cannot be cancelled), the carrier's adapter books the parcel
 * (both outside any transaction), then, under the lock of the order's shipments, the shipment
 * becomes shipped with the tracking number, its first tracking entry and shipping.shipment.shipped.
 * Two calls at once both book, but only the first to take the lock keeps its booking; the other
 * finds the shipment shipped and answers it as it is (one tracking number, one event).
 */
export async function markShipmentShipped(
  em: () => EntityManager,
  adapters: CarrierAdapters,
  approval: ShipmentApproval,
  request: MarkShipmentShippedInput,
): Promise<ShipmentMessage> {
  const input = checked((v) => ({
    shipmentId: v.uuid('shipment_id', request.shipmentId),
    carrierId: v.uuid('carrier_id', request.carrierId),
  }));
  const reader = em();
  const shipment = await reader.findOne(Shipment, { id: input.shipmentId });
  if (!shipment) throw notFound('shipment', input.shipmentId);
  if (alreadyShippedBy(shipment, input.carrierId)) return shipmentMessage(reader, shipment);
  const carrier = await reader.findOne(Carrier, { id: input.carrierId });
  if (!carrier) throw notFound('carrier', input.carrierId);
  if (!carrier.isActive)
    throw failedPrecondition(`carrier ${carrier.id} is inactive`, ShippingReason.CARRIER_INACTIVE, {
      carrier_id: carrier.id,
    });
  await approval.approve(shipment.orderId);
  const items = await reader.find(ShipmentItem, { shipment: shipment.id });
  const booked = await adapters.adapterFor(carrier.code).book({
    shipmentId: shipment.id,
    carrierCode: carrier.code,
    destination: shipment.destinationAddress,
    lines: items.map((item) => ({ sku: item.sku, quantity: item.quantity })),
  });

  const shippedId = await em().transactional(async (tx) => {
    const shipments = await lockOrderShipments(tx, shipment.orderId);
    const locked = shipments.find((s) => s.id === shipment.id)!;
    if (alreadyShippedBy(locked, carrier.id)) return locked.id;
    const shippedAt = new Date();
    await shipmentStatuses.apply(
      tx,
      { id: locked.id, from: locked.status, to: 'shipped', changedBy: 'system' },
      async () => {
        locked.status = 'shipped';
        locked.carrier = tx.getReference(Carrier, carrier.id, { wrapped: true });
        locked.trackingNumber = booked.trackingNumber;
        locked.shippedAt = shippedAt;
        locked.estimatedDeliveryDate = booked.estimatedDeliveryAt;
        locked.carrierResponse = booked.response;
        tx.create(ShipmentTracking, {
          shipment: locked,
          status: 'shipped',
          location: null,
          description: `Handed to ${carrier.name}`,
          occurredAt: shippedAt,
          eventKey: 'shipped',
        });
        await tx.flush();
      },
    );
    await publishEvent(tx, 'shipping', ShipmentShippedEvent, {
      shipmentId: locked.id,
      orderId: locked.orderId,
      userId: locked.userId ?? '',
      carrier: carrier.code,
      trackingNumber: booked.trackingNumber,
      lines: await eventLinesOf(tx, locked.id),
      shippedAt,
      ...orderProgressOf(shipments),
    });
    return locked.id;
  });
  const fresh = em();
  return shipmentMessage(fresh, (await fresh.findOne(Shipment, { id: shippedId }))!);
}
