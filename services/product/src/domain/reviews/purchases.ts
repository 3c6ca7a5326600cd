import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderDelivered } from '../../../../../gen/ecommerce/order/v1/events.js';
import { isUuid } from '../../../../../lib/ids.js';
import { claim, read } from '../inventory/ledger.js';

/**
 * Who has received which product. product_db has no purchases table (docs/database/product_db.md lists its eight
 * tables); a delivered purchase is a fact keyed by (user, product), recorded once in the service's
 * ledger (`infra.idempotency_keys`, scope `purchase`, key `<user id>/<product id>`) with the order
 * that delivered it first. Reviews read it to be marked verified.
 */
interface PurchaseRecord {
  orderId: string;
}

const keyOf = (userId: string, productId: string) => `${userId}/${productId}`;

export async function deliveredOrderOf(
  em: EntityManager,
  userId: string,
  productId: string,
): Promise<string | undefined> {
  return (await read<PurchaseRecord>(em, 'purchase', keyOf(userId, productId)))?.result.orderId;
}

/**
 * Applies order.order.delivered (in the consumer's transaction, after its inbox claim): records the
 * purchases and marks the customer's existing reviews of those products verified.
 */
export async function recordDelivery(em: EntityManager, event: OrderDelivered): Promise<void> {
  if (!isUuid(event.userId) || !isUuid(event.orderId)) {
    throw new Error(
      `order.order.delivered with a malformed user or order id (${event.userId}, ${event.orderId})`,
    );
  }
  const productIds = [...new Set(event.items.map((item) => item.productId.toLowerCase()))].filter(isUuid);
  for (const productId of productIds) {
    await claim<PurchaseRecord>(em, 'purchase', keyOf(event.userId, productId), event.orderId, {
      orderId: event.orderId,
    });
  }
  if (productIds.length === 0) return;
  await em.execute(
    `UPDATE reviews SET is_verified_purchase = true, order_id = COALESCE(order_id, ?::uuid), updated_at = now()
      WHERE user_id = ? AND product_id = ANY(?::uuid[]) AND NOT is_verified_purchase`,
    [event.orderId, event.userId, `{${productIds.join(',')}}`],
    'run',
  );
}
