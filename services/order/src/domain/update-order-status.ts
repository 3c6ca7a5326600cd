import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  OrderStatus as WireStatus,
  type Order as OrderMessage,
} from '../../../../gen/ecommerce/order/v1/order.js';
import { OrderDeliveredEvent, OrderStatusChangedEvent } from '../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { notFound } from '../../../../lib/errors.js';
import { checked } from '../../../../lib/validation/index.js';
import { Order, OrderItem } from '../entities/index.js';
import type { OrderStatus } from '../entities/order.js';
import { orderStatuses } from './order-status.js';
import { existingOrderView, wireStatusOf } from './order-view.js';

/** The statuses staff set by hand: the fulfilment. Confirming, cancelling and refunding have their own paths. */
const FULFILMENT: ReadonlyMap<WireStatus, OrderStatus> = new Map([
  [WireStatus.ORDER_STATUS_PROCESSING, 'processing'],
  [WireStatus.ORDER_STATUS_SHIPPED, 'shipped'],
  [WireStatus.ORDER_STATUS_DELIVERED, 'delivered'],
]);

export interface UpdateOrderStatusInput {
  orderId: string;
  status: WireStatus;
  reason: string;
  /** The admin's user id. */
  changedBy: string;
}

/**
 * UpdateOrderStatus: moves an order along its fulfilment under a lock on its row, so that two
 * admins moving the same order at once are served one after the other: the second sees the first's
 * change, and gets the same answer (it asked for the same status) or INVALID_STATUS_TRANSITION;
 * never a second history row. A change writes its history row and announces
 * order.order.status_changed (and order.order.delivered for a customer's delivered order) in the
 * same transaction; an order already in the status is answered as it is.
 */
export async function updateOrderStatus(
  em: EntityManager,
  input: UpdateOrderStatusInput,
): Promise<{ order: OrderMessage; changed: boolean }> {
  const { orderId, target, reason } = checked((v) => {
    const target = FULFILMENT.get(input.status);
    if (!target)
      v.add('status', 'must be ORDER_STATUS_PROCESSING, ORDER_STATUS_SHIPPED or ORDER_STATUS_DELIVERED');
    return {
      orderId: v.uuid('order_id', input.orderId),
      target: target!,
      reason: v.optionalText('reason', input.reason, 500),
    };
  });
  return em.transactional(async (tx) => {
    const order = await tx.findOne(Order, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!order) throw notFound('order', orderId);
    const from = order.status;
    const change = { id: orderId, from, to: target, changedBy: input.changedBy, note: reason ?? undefined };
    const changed = await orderStatuses.apply(tx, change, async () => {
      const now = new Date();
      order.status = target;
      if (target === 'shipped') order.shippedAt ??= now;
      if (target === 'delivered') order.deliveredAt = now;
      await tx.flush();
    });
    if (changed) await announce(tx, order, from, input.changedBy, reason);
    return { order: await existingOrderView(tx, order.id, 'staff'), changed };
  });
}

async function announce(
  tx: EntityManager,
  order: Order,
  from: OrderStatus,
  changedBy: string,
  reason: string | null,
): Promise<void> {
  await publishEvent(tx, 'order', OrderStatusChangedEvent, {
    orderId: order.id,
    orderNumber: order.orderNumber,
    userId: order.userId ?? '',
    guestEmail: order.guestEmail ?? '',
    previousStatus: wireStatusOf(from),
    status: wireStatusOf(order.status),
    changedBy,
    reason: reason ?? '',
    changedAt: order.updatedAt,
  });
  if (order.status === 'delivered' && order.userId) {
    const items = await tx.find(OrderItem, { order: order.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    await publishEvent(tx, 'order', OrderDeliveredEvent, {
      orderId: order.id,
      userId: order.userId,
      items: items.map((item) => ({
        orderItemId: item.id,
        productId: item.productId,
        variantId: item.variantId,
        quantity: item.quantity,
      })),
      deliveredAt: order.deliveredAt ?? undefined,
    });
  }
}
