import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderConfirmed } from '../../../../gen/ecommerce/order/v1/events.js';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';
import {
  inboxClaimParams,
  inboxClaimSql,
  insertOutboxRowFrom,
  outboxRowOf,
  outboxRowParams,
  outboxWritten,
  publishEvent,
  type InboxClaim,
} from '../../../../lib/events/index.js';
import { isUuid } from '../../../../lib/ids.js';
import type { Logger } from '../../../../lib/log.js';
import { CartConvertedEvent } from '../../../../lib/events/catalog.js';
import { canTransition, statusesBefore } from './cart-status.js';
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

/*
 * The usual case in one statement, with the event's inbox claim (the consumer's `atOnce`): the
 * cart, the order's buyer's (a guest's has no user), is locked, the event claimed, the cart
 * converted and announced. Anything else (an unknown cart, one that cannot be converted, another
 * owner, the event claimed before) writes nothing here, not even the claim, and is decided by the
 * general way above, in the consumer's transaction.
 */
const CONVERT_AT_ONCE_SQL = `
  WITH target AS (
    SELECT id FROM carts
     WHERE id = :cartId AND status = ANY(:from::text[]) AND user_id IS NOT DISTINCT FROM :userId::uuid
       FOR UPDATE),
  claimed AS (
    ${inboxClaimSql('EXISTS (SELECT 1 FROM target)')}),
  converted AS (
    UPDATE carts SET status = 'converted', converted_order_id = :orderId, version = version + 1, updated_at = :at
     WHERE id IN (SELECT id FROM target) AND EXISTS (SELECT 1 FROM claimed)
    RETURNING id),
  announced AS (
    ${insertOutboxRowFrom('converted')})
  SELECT count(*)::int AS converted FROM converted`;

const CONVERTIBLE = statusesBefore('converted');

/** `convertCartOfOrder`'s usual case in one statement; false when it wrote nothing (see above). */
export async function convertCartAtOnce(
  em: EntityManager,
  event: OrderConfirmed,
  claim: InboxClaim,
): Promise<boolean> {
  if (!isUuid(event.cartId) || !isUuid(event.orderId) || (event.userId !== '' && !isUuid(event.userId)))
    return false;
  const at = new Date();
  const announcement = outboxRowOf('cart', CartConvertedEvent, {
    cartId: event.cartId,
    userId: event.userId,
    orderId: event.orderId,
    convertedAt: at,
  });
  const [row] = await executePrepared<{ converted: number }>(
    em,
    'cart:convert-at-once',
    CONVERT_AT_ONCE_SQL,
    {
      orderId: event.orderId,
      at,
      cartId: event.cartId,
      from: CONVERTIBLE,
      userId: event.userId === '' ? null : event.userId,
      ...outboxRowParams(announcement),
      ...inboxClaimParams(claim),
    },
  );
  if (row?.converted !== 1) return false;
  outboxWritten(em, announcement);
  return true;
}
