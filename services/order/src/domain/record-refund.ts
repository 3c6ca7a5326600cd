import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PaymentRefunded } from '../../../../gen/ecommerce/payment/v1/events.js';
import { OrderStatusChangedEvent } from '../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../lib/events/index.js';
import type { Logger } from '../../../../lib/log.js';
import { Order } from '../entities/index.js';
import type { OrderStatus } from '../entities/order.js';
import { orderStatuses, SYSTEM, writeStatusHistory } from './order-status.js';
import { wireStatusOf } from './order-view.js';

/**
 * The statuses a refund moves an order from: a delivered order's returns. A refund of a confirmed
 * or processing order is CancelOrder's own, which may arrive before its cancellation commits: it
 * must leave the order for CancelOrder to cancel.
 */
const FOLLOWS_REFUNDS: ReadonlySet<OrderStatus> = new Set(['delivered', 'partially_refunded']);

/**
 * A refund of an order's payment moves the order along: PARTIALLY_REFUNDED while the payment has
 * refunded less than it captured, REFUNDED once it refunded all of it (the event carries both
 * totals as the refund left them, so a late or repeated event never moves an order back: a
 * refunded order stays refunded). Runs in the consumer's transaction under the order's row lock,
 * with its history row and order.order.status_changed; a further partial refund writes a history
 * row of its own. A refund of an order that was not delivered (a cancelled one, or one being
 * cancelled: CancelOrder refunds it itself) changes nothing and is logged, never retried.
 */
export async function recordRefund(tx: EntityManager, event: PaymentRefunded, logger: Logger): Promise<void> {
  const context = { orderId: event.orderId, paymentId: event.paymentId, refundId: event.refundId };
  const order = await tx.findOne(Order, { id: event.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!order) {
    logger.warn(context, 'refund of an unknown order; nothing to record');
    return;
  }
  const captured = event.amountCaptured?.amountMinor ?? 0;
  const refunded = event.amountRefundedTotal?.amountMinor ?? 0;
  const to: OrderStatus = captured > 0 && refunded >= captured ? 'refunded' : 'partially_refunded';
  const from = order.status;
  if (!FOLLOWS_REFUNDS.has(from) || !orderStatuses.allows(from, to)) {
    if (from !== 'cancelled' && from !== 'refunded') {
      logger.info({ ...context, status: from }, 'refund of an order whose status does not follow refunds');
    }
    return;
  }
  const amount = event.amount ? `${event.amount.amountMinor} ${event.amount.currencyCode} (minor units)` : '';
  const note = `refund ${event.refundId} of ${amount}${event.returnId ? ` for return ${event.returnId}` : ''}`;
  const change = { id: order.id, from, to, changedBy: SYSTEM, note };
  const write = async () => {
    order.status = to;
    order.paymentStatus = to;
    await tx.flush();
  };
  if (from === to) {
    await write();
    await writeStatusHistory(tx, change);
    return;
  }
  await orderStatuses.apply(tx, change, write);
  await publishEvent(tx, 'order', OrderStatusChangedEvent, {
    orderId: order.id,
    orderNumber: order.orderNumber,
    userId: order.userId ?? '',
    guestEmail: order.guestEmail ?? '',
    previousStatus: wireStatusOf(from),
    status: wireStatusOf(to),
    changedBy: SYSTEM,
    reason: note,
    changedAt: order.updatedAt,
  });
}
