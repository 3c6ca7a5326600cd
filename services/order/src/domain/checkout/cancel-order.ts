import { LockMode } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Order as OrderMessage } from '../../../../../gen/ecommerce/order/v1/order.js';
import { CommonReason } from '../../../../../lib/error-reasons.js';
import { OrderCancelledEvent } from '../../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../../lib/events/index.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { checked } from '../../../../../lib/validation/index.js';
import { Order, OrderItem } from '../../entities/index.js';
import type { OrderStatus } from '../../entities/order.js';
import { orderStatuses } from '../order-status.js';
import { orderView } from '../order-view.js';
import type { CatalogPort, PaymentPort } from './checkout-ports.js';

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
}

/**
 * CancelOrder: gives everything back first (the sold units restocked once per order, the payment
 * refunded in full, each keyed by the order so a retry repeats nothing), then marks the order
 * cancelled with its history row and `order.order.cancelled`. A failure on the way leaves the
 * order as it was, and the same request can be sent again. Cancelling a cancelled order answers it.
 * A pending order's checkout is still running: it cannot be cancelled yet.
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
  const em = deps.orm.em.fork();
  const order = await em.findOne(Order, { id: input.orderId });
  if (!order || (canceller.kind === 'customer' && order.userId !== canceller.userId)) {
    throw notFound('order', input.orderId);
  }
  const reader = canceller.kind === 'staff' ? 'staff' : 'customer';
  if (order.status === 'cancelled') return orderView(em, order, reader);
  assertCancellable(order.id, order.status, canceller);

  const items = await em.find(OrderItem, { order: order.id });
  await deps.catalog.restock(
    order.id,
    items.map((item) => ({ variantId: item.variantId, quantity: item.quantity })),
    `order ${order.orderNumber} cancelled`,
  );
  await deps.payments.undo(order.id, `order ${order.orderNumber} cancelled: ${input.reason}`);

  return deps.orm.em.fork().transactional(async (tx) => {
    const locked = await tx.findOneOrFail(Order, { id: order.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (locked.status !== 'cancelled') {
      assertCancellable(locked.id, locked.status, canceller);
      await orderStatuses.apply(
        tx,
        {
          id: locked.id,
          from: locked.status,
          to: 'cancelled',
          changedBy: canceller.userId,
          note: input.reason,
        },
        async () => {
          locked.status = 'cancelled';
          locked.cancelledAt = new Date();
          locked.cancellationReason = input.reason;
          locked.paymentStatus = locked.paymentId ? 'refunded' : locked.paymentStatus;
          await tx.flush();
        },
      );
      await publishEvent(tx, 'order', OrderCancelledEvent, {
        orderId: locked.id,
        userId: locked.userId ?? '',
        reason: input.reason,
        cancelledAt: locked.cancelledAt!,
        orderNumber: locked.orderNumber,
        guestEmail: locked.guestEmail ?? '',
      });
    }
    return orderView(tx, locked, reader);
  });
}

function assertCancellable(orderId: string, status: OrderStatus, canceller: Canceller): void {
  if (CANCELLABLE[canceller.kind].includes(status)) return;
  const why =
    status === 'pending'
      ? 'its checkout is still running'
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
