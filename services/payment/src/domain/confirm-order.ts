import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';
import type { OrderConfirmed } from '../../../../gen/ecommerce/order/v1/events.js';
import { inboxClaimParams, inboxClaimSql, type InboxClaim } from '../../../../lib/events/index.js';
import { isUuid } from '../../../../lib/ids.js';
import type { Logger } from '../../../../lib/log.js';

/** The payments of the order (the one the event names, when it names one) marked confirmed. */
const MARK_CONFIRMED = `
  UPDATE payments SET order_confirmed_at = COALESCE(order_confirmed_at, :confirmedAt), updated_at = now()
   WHERE order_id = :orderId AND (:paymentId::uuid IS NULL OR id = :paymentId::uuid)`;

function markParams(event: OrderConfirmed) {
  return {
    confirmedAt: event.confirmedAt ?? new Date(),
    orderId: event.orderId,
    paymentId: isUuid(event.paymentId) ? event.paymentId : null,
  };
}

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
  if (!isUuid(event.orderId)) {
    logger.warn(logContext(event), 'order confirmed with a malformed order id; nothing to confirm');
    return;
  }
  // Prepared: it runs once per order.
  const confirmed = await executePrepared<{ id: string }>(
    tx,
    'payment:order-confirmed',
    `${MARK_CONFIRMED} RETURNING id`,
    markParams(event),
  );
  if (confirmed.length === 0) logger.warn(logContext(event), 'order confirmed with no payment of ours');
}

/**
 * `confirmOrderPayment` with the event's inbox claim, in one statement (the consumer's `atOnce`):
 * false, with nothing written, for a repeat or a malformed order id (the consumer's transaction
 * then tells a repeat apart and logs the rest).
 */
export async function confirmOrderPaymentAtOnce(
  em: EntityManager,
  event: OrderConfirmed,
  claim: InboxClaim,
  logger: Logger,
): Promise<boolean> {
  if (!isUuid(event.orderId)) return false;
  const [row] = await executePrepared<{ claimed: number; confirmed: number }>(
    em,
    'payment:order-confirmed-at-once',
    `WITH claimed AS (${inboxClaimSql()}),
          confirmed AS (${MARK_CONFIRMED} AND EXISTS (SELECT 1 FROM claimed) RETURNING id)
     SELECT (SELECT count(*) FROM claimed)::int AS claimed, (SELECT count(*) FROM confirmed)::int AS confirmed`,
    { ...markParams(event), ...inboxClaimParams(claim) },
  );
  if (row!.claimed === 0) return false;
  if (row!.confirmed === 0) logger.warn(logContext(event), 'order confirmed with no payment of ours');
  return true;
}

function logContext(event: OrderConfirmed) {
  return { orderId: event.orderId, paymentId: event.paymentId };
}
