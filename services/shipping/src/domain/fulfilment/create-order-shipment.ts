import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderConfirmed } from '../../../../../gen/ecommerce/order/v1/events.js';
import { ShipmentCreatedEvent } from '../../../../../lib/events/catalog.js';
import { PermanentEventError, publishEvent } from '../../../../../lib/events/index.js';
import { isUuid } from '../../../../../lib/ids.js';
import { Shipment, ShipmentItem } from '../../entities/index.js';
import { eventLineOf, lockOrderShipments } from './order-shipments.js';

/** The order's lines, or a PermanentEventError: an event no retry can make usable. */
function linesOf(event: OrderConfirmed) {
  if (!isUuid(event.orderId)) throw new PermanentEventError(`order id "${event.orderId}" is not a UUID`);
  if (event.userId !== '' && !isUuid(event.userId))
    throw new PermanentEventError(`order ${event.orderId}: user id "${event.userId}" is not a UUID`);
  if (event.items.length === 0) throw new PermanentEventError(`order ${event.orderId} has no lines`);
  const seen = new Set<string>();
  for (const item of event.items) {
    const ids = [item.orderItemId, item.productId, item.variantId];
    if (
      !ids.every(isUuid) ||
      !Number.isInteger(item.quantity) ||
      item.quantity < 1 ||
      seen.has(item.orderItemId)
    )
      throw new PermanentEventError(
        `order ${event.orderId}: line ${item.orderItemId} is malformed or repeated`,
      );
    seen.add(item.orderItemId);
  }
  return event.items;
}

/**
 * On order.order.confirmed: the order's first shipment, pending, holding every line of the order,
 * to the order's shipping address, and shipping.shipment.created. An order that already has its
 * first shipment (the event again, under another id) gets nothing more.
 */
export async function createOrderShipment(tx: EntityManager, event: OrderConfirmed): Promise<void> {
  const lines = linesOf(event);
  const existing = await lockOrderShipments(tx, event.orderId);
  if (existing.length > 0) return;
  const shippingTotal = event.shippingTotal ?? event.grandTotal;
  const shipment = tx.create(Shipment, {
    orderId: event.orderId,
    userId: event.userId === '' ? null : event.userId,
    status: 'pending',
    cost: shippingTotal?.amountMinor ?? 0,
    currency: shippingTotal?.currencyCode ?? 'XXX',
    originAddress: {},
    destinationAddress: { ...(event.shippingAddress ?? {}) },
  });
  const items = lines.map((line) =>
    tx.create(ShipmentItem, {
      shipment,
      orderItemId: line.orderItemId,
      productId: line.productId,
      variantId: line.variantId,
      sku: line.sku,
      quantity: line.quantity,
    }),
  );
  await tx.flush();
  await publishEvent(tx, 'shipping', ShipmentCreatedEvent, {
    shipmentId: shipment.id,
    orderId: shipment.orderId,
    userId: event.userId,
    carrier: '',
    shippingMethod: event.shippingMethod,
    trackingNumber: '',
    cost: { currencyCode: shipment.currency, amountMinor: shipment.cost },
    createdAt: shipment.createdAt,
    lines: items.map(eventLineOf),
    splitFromShipmentId: '',
  });
}
