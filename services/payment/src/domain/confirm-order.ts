import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';
import type { OrderConfirmed } from '../../../../gen/ecommerce/order/v1/events.js';
import { isUuid } from '../../../../lib/ids.js';
import type { Logger } from '../../../../lib/log.js';

/**
 * The order service confirmed an order with its payment: that payment is no longer an orphan for
 * the reconciler (`order_confirmed_at`). The event names the payment; an event without one
 * confirms every payment of the order. In the consumer's transaction (the inbox makes a
 * redelivery a no-op; the first confirmation time is kept anyway).
 */
export async function confirmOrderPayment(
  tx: EntityManager,
  event: OrderConfirmed,
  logger: Logger,
): Promise<void> {
  const context = { orderId: event.orderId, paymentId: event.paymentId };
  if (!isUuid(event.orderId)) {
    logger.warn(context, 'order confirmed with a malformed order id; nothing to confirm');
    return;
  }
  const paymentId = isUuid(event.paymentId) ? event.paymentId : null;
  // Prepared: it runs once per order.
  const confirmed = await executePrepared<{ id: string }>(
    tx,
    'payment:order-confirmed',
    `UPDATE payments SET order_confirmed_at = COALESCE(order_confirmed_at, ?), updated_at = now()
      WHERE order_id = ? AND (?::uuid IS NULL OR id = ?::uuid) RETURNING id`,
    [event.confirmedAt ?? new Date(), event.orderId, paymentId, paymentId],
  );
  if (confirmed.length === 0) logger.warn(context, 'order confirmed with no payment of ours');
}
