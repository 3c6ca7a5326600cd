import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { CommonReason } from '../../../../lib/error-reasons.js';
import { failedPrecondition, notFound } from '../../../../lib/errors.js';
import { checked } from '../../../../lib/validation/index.js';
import { Order } from '../entities/index.js';
import type { OrderStatus } from '../entities/order.js';

/** The orders a parcel may still leave for: confirmed, or in fulfilment with parcels left to go. */
const SHIPPABLE: readonly OrderStatus[] = ['confirmed', 'processing', 'shipped'];

/**
 * ApproveShipment (internal: the shipping service asks before a parcel of the order is handed to a
 * carrier). Under the order's row lock, the lock CancelOrder decides under: a cancelled order is
 * refused, and an approved one records that a parcel is leaving (shipped_at), so that a
 * cancellation from then on is refused even while the shipping service's event is still on its
 * way (or NATS is down). A parcel approved and then never handed over (the carrier refused it)
 * leaves the order uncancellable: the safe side, since goods may be on their way. Idempotent.
 */
export async function approveShipment(em: EntityManager, request: { orderId: string }): Promise<void> {
  const { orderId } = checked((v) => ({ orderId: v.uuid('order_id', request.orderId) }));
  await em.transactional(async (tx) => {
    const order = await tx.findOne(Order, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!order) throw notFound('order', orderId);
    if (!SHIPPABLE.includes(order.status)) {
      throw failedPrecondition(
        `order ${orderId} is ${order.status}: no parcel of it may leave`,
        CommonReason.INVALID_STATUS_TRANSITION,
        { entity: 'order', id: orderId, from: order.status, to: 'shipped' },
      );
    }
    if (!order.shippedAt) {
      order.shippedAt = new Date();
      await tx.flush();
    }
  });
}
