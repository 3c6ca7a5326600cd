import type { EntityManager } from '@mikro-orm/postgresql';
import type { Order as OrderMessage } from '../../../../gen/ecommerce/order/v1/order.js';
import { notFound } from '../../../../lib/errors.js';
import { requireUuid } from '../../../../lib/validation/index.js';
import { orderView } from './order-view.js';

/**
 * Which orders a caller reaches: `staff` (an admin holding 'order:read', a platform service) every
 * order and every note; a `customer` only its own orders (another's is NOT_FOUND, exactly like one
 * that does not exist) and only the notes meant for customers.
 */
export type OrderAccess = { reader: 'staff' } | { reader: 'customer'; userId: string };

/** GetOrder: one order, as its caller may see it. */
export async function getOrder(
  em: EntityManager,
  access: OrderAccess,
  orderIdText: string,
): Promise<OrderMessage> {
  const orderId = requireUuid('order_id', orderIdText);
  const view = await orderView(em, orderId, access.reader);
  if (!view || (access.reader === 'customer' && view.userId !== access.userId)) {
    throw notFound('order', orderId);
  }
  return view;
}
