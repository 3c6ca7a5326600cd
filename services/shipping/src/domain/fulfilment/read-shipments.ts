import type { EntityManager } from '@mikro-orm/postgresql';
import type { Shipment as ShipmentMessage } from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { notFound } from '../../../../../lib/errors.js';
import { requireUuid } from '../../../../../lib/validation/index.js';
import { Shipment } from '../../entities/index.js';
import { shipmentMessage, shipmentMessages } from './shipment-view.js';

const OLDEST_FIRST = { orderBy: { createdAt: 'asc', id: 'asc' } } as const;

/** ListOrderShipments: every shipment of the order, oldest first (none: an empty list). */
export async function listOrderShipments(em: EntityManager, orderId: string): Promise<ShipmentMessage[]> {
  const id = requireUuid('order_id', orderId);
  return shipmentMessages(em, await em.find(Shipment, { orderId: id }, OLDEST_FIRST));
}

/** GetShipment. */
export async function getShipment(em: EntityManager, shipmentId: string): Promise<ShipmentMessage> {
  const id = requireUuid('shipment_id', shipmentId);
  const shipment = await em.findOne(Shipment, { id });
  if (!shipment) throw notFound('shipment', id);
  return shipmentMessage(em, shipment);
}

/**
 * GetMyShipmentTracking: the shipments of one of the customer's own orders. Another customer's
 * order, a guest's, and an order without shipments are one answer, NOT_FOUND, so the answer tells
 * nobody whether someone else's order exists.
 */
export async function getMyShipmentTracking(
  em: EntityManager,
  userId: string,
  orderId: string,
): Promise<ShipmentMessage[]> {
  const id = requireUuid('order_id', orderId);
  const shipments = await em.find(Shipment, { orderId: id, userId }, OLDEST_FIRST);
  if (shipments.length === 0) throw notFound('order', id);
  return shipmentMessages(em, shipments);
}
