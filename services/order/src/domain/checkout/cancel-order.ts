import { LockMode } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Order as OrderMessage } from '../../../../../gen/ecommerce/order/v1/order.js';
import { CommonReason } from '../../../../../lib/error-reasons.js';
import { OrderCancelledEvent } from '../../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../../lib/events/index.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { checked } from '../../../../../lib/validation/index.js';
import { Order } from '../../entities/index.js';
import type { OrderStatus } from '../../entities/order.js';
import type { Logger } from '../../../../../lib/log.js';
import { orderStatuses } from '../order-status.js';
import { existingOrderView } from '../order-view.js';
import type { CatalogPort, PaymentPort } from './checkout-ports.js';
import { settleCancellation } from './settle-cancellation.js';

/** Who cancels: the order's customer, or staff holding 'order:write'. */
export type Canceller = { kind: 'customer'; userId: string } | { kind: 'staff'; userId: string };

/** Until when each may cancel: a customer before the order is prepared, staff before it ships. */
const CANCELLABLE: Record<Canceller['kind'], readonly OrderStatus[]> = {
  customer: ['confirmed'],
  staff: ['confirmed', 'processing'],
};

export interface CancelOrderDeps {
  orm: MikroORM;
  catalog: CatalogPort;
  payments: PaymentPort;
  logger: Logger;
}

/**
 * CancelOrder: decides first, then gives back. Under the order's row lock the order becomes
 * cancelled, with its history row and `order.order.cancelled` (the shipping service stops its
 * shipments on it); a shipment event waits for that lock, so an order cannot be shipped and
 * cancelled at once. Then its units are restocked and its payment refunded in full, each keyed by
 * the order (settle-cancellation.ts): if a service is down or the process stops there, the
 * settlement job finishes it, never twice. Cancelling a cancelled order answers it (and settles it
 * if it is not yet). A pending order's checkout is still running: it cannot be cancelled yet.
 */
export async function cancelOrder(
  deps: CancelOrderDeps,
  canceller: Canceller,
  request: { orderId: string; reason: string },
): Promise<OrderMessage> {
  const input = checked((v) => ({
    orderId: v.uuid('order_id', request.orderId),
    reason: v.text('reason', request.reason, 1, 500),
  }));
  const reader = canceller.kind === 'staff' ? 'staff' : 'customer';
  await deps.orm.em.fork().transactional(async (tx) => {
    const order = await tx.findOne(Order, { id: input.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!order || (canceller.kind === 'customer' && order.userId !== canceller.userId)) {
      throw notFound('order', input.orderId);
    }
    if (order.status === 'cancelled') return;
    assertCancellable(order, canceller);
    await orderStatuses.apply(
      tx,
      { id: order.id, from: order.status, to: 'cancelled', changedBy: canceller.userId, note: input.reason },
      async () => {
        order.status = 'cancelled';
        order.cancelledAt = new Date();
        order.cancellationReason = input.reason;
        await tx.flush();
      },
    );
    await publishEvent(tx, 'order', OrderCancelledEvent, {
      orderId: order.id,
      userId: order.userId ?? '',
      reason: input.reason,
      cancelledAt: order.cancelledAt!,
      orderNumber: order.orderNumber,
      guestEmail: order.guestEmail ?? '',
    });
  });
  try {
    await settleCancellation(deps, input.orderId);
  } catch (error) {
    // The order is cancelled; what it holds is given back by the settlement job.
    deps.logger.warn(
      { err: error, orderId: input.orderId },
      'cancelled order not settled yet; the job retries',
    );
  }
  return existingOrderView(deps.orm.em.fork(), input.orderId, reader);
}

function assertCancellable(order: Order, canceller: Canceller): void {
  const { id: orderId, status } = order;
  // A parcel on its way makes an order processing for the shipping service; staff may move an
  // order to processing themselves before anything left (shipped_at says which).
  if (CANCELLABLE[canceller.kind].includes(status) && !order.shippedAt) return;
  const why =
    status === 'pending'
      ? 'its checkout is still running'
      : order.shippedAt
        ? 'a parcel of it has left; return what arrives instead'
        : canceller.kind === 'customer'
          ? 'it is already being prepared; ask the shop'
          : 'it has shipped';
  throw failedPrecondition(
    `order ${orderId} is ${status} and cannot be cancelled: ${why}`,
    CommonReason.INVALID_STATUS_TRANSITION,
    {
      entity: 'order',
      id: orderId,
      from: status,
      to: 'cancelled',
    },
  );
}
