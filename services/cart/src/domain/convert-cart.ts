import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderConfirmed } from '../../../../gen/ecommerce/order/v1/events.js';
import { publishEvent } from '../../../../lib/events/index.js';
import type { Logger } from '../../../../lib/log.js';
import { CartConvertedEvent } from '../../../../lib/events/catalog.js';
import { canTransition } from './cart-status.js';
import { lockCart } from './cart-store.js';

/**
 * An order confirmed from a cart turns the cart `converted` (read-only, naming the order) and
 * announces `cart.cart.converted`, in the consumer's transaction (the inbox makes a redelivery a
 * no-op). A cart already converted by this order is left alone; a cart that cannot be converted
 * (unknown, merged, or converted by another order) is logged and skipped: the order stands either way.
 */
export async function convertCartOfOrder(
  tx: EntityManager,
  event: OrderConfirmed,
  logger: Logger,
): Promise<void> {
  const context = { cartId: event.cartId, orderId: event.orderId };
  const cart = event.cartId === '' ? undefined : await lockCart(tx, event.cartId);
  if (!cart) {
    logger.warn(context, 'order confirmed for an unknown cart; nothing to convert');
    return;
  }
  if (!canTransition(cart.status, 'converted')) {
    if (cart.status !== 'converted')
      logger.warn({ ...context, status: cart.status }, 'cart cannot be converted');
    return;
  }
  const [row] = await tx.execute<{ updated_at: Date }[]>(
    `UPDATE carts SET status = 'converted', converted_order_id = ?, version = version + 1, updated_at = now()
      WHERE id = ? RETURNING updated_at`,
    [event.orderId, cart.id],
  );
  await publishEvent(tx, 'cart', CartConvertedEvent, {
    cartId: cart.id,
    userId: cart.userId ?? '',
    orderId: event.orderId,
    convertedAt: row!.updated_at instanceof Date ? row!.updated_at : new Date(row!.updated_at),
  });
}
