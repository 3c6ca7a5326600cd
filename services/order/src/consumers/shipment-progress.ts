import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { OrderStatus as WireStatus } from '../../../../gen/ecommerce/order/v1/order.js';
import {
  ShipmentDeliveredEvent,
  ShipmentShippedEvent,
  ShipmentTrackingUpdatedEvent,
} from '../../../../lib/events/catalog.js';
import { on, PermanentEventError } from '../../../../lib/events/index.js';
import { isUuid } from '../../../../lib/ids.js';
import { SYSTEM } from '../domain/order-status.js';
import { updateOrderStatus } from '../domain/update-order-status.js';
import { Order } from '../entities/index.js';
import type { OrderStatus } from '../entities/order.js';
import type { OrderConsumer } from './order-consumer.js';

/** The fulfilment, in order; each step is one UpdateOrderStatus change. */
const FULFILMENT: { status: OrderStatus; wire: WireStatus; reason: string }[] = [
  { status: 'confirmed', wire: WireStatus.ORDER_STATUS_CONFIRMED, reason: '' },
  { status: 'processing', wire: WireStatus.ORDER_STATUS_PROCESSING, reason: 'a first shipment left' },
  { status: 'shipped', wire: WireStatus.ORDER_STATUS_SHIPPED, reason: 'every shipment left' },
  { status: 'delivered', wire: WireStatus.ORDER_STATUS_DELIVERED, reason: 'every shipment was delivered' },
];

/** What every shipment event says of its order as a whole. */
interface ShipmentProgress {
  orderId: string;
  orderFullyShipped: boolean;
  orderFullyDelivered: boolean;
}

/**
 * Follows the order's shipments: a shipment on its way makes a confirmed order processing; every
 * shipment shipped, shipped; every shipment delivered, delivered. Each step goes through
 * UpdateOrderStatus (its state machine, history row with changed_by "system",
 * order.order.status_changed and order.order.delivered), one step at a time, so news that arrives
 * out of order (a delivery before the shipping) walks the order through the states it skipped.
 * News that would not move the order forward (it is there or beyond already, or was cancelled or
 * refunded) changes nothing: redeliveries and late events are harmless.
 */
export async function followShipments(em: EntityManager, progress: ShipmentProgress): Promise<void> {
  if (!isUuid(progress.orderId))
    throw new PermanentEventError(`order id "${progress.orderId}" is not a UUID`);
  const order = await em.findOne(Order, { id: progress.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!order) throw new PermanentEventError(`shipment news of an unknown order ${progress.orderId}`);
  const target = progress.orderFullyDelivered
    ? 'delivered'
    : progress.orderFullyShipped
      ? 'shipped'
      : 'processing';
  const from = FULFILMENT.findIndex((step) => step.status === order.status);
  const to = FULFILMENT.findIndex((step) => step.status === target);
  if (from === -1) return;
  // Every shipment event says a parcel has left: from now on the order cannot be cancelled.
  if (!order.shippedAt) {
    order.shippedAt = new Date();
    await em.flush();
  }
  if (from >= to) return;
  for (const step of FULFILMENT.slice(from + 1, to + 1)) {
    await updateOrderStatus(em, {
      orderId: order.id,
      status: step.wire,
      reason: step.reason,
      changedBy: SYSTEM,
    });
  }
}

/** The shipping service's news of an order's shipments (durable `order-shipments`). */
export const shipmentProgress: OrderConsumer = {
  consumer: 'order-shipments',
  source: 'shipping',
  handlers: () => [
    on(ShipmentShippedEvent, followShipments),
    on(ShipmentTrackingUpdatedEvent, followShipments),
    on(ShipmentDeliveredEvent, followShipments),
  ],
};
