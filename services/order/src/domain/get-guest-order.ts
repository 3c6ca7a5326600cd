import type { EntityManager } from '@mikro-orm/postgresql';
import type { Order as OrderMessage } from '../../../../gen/ecommerce/order/v1/order.js';
import { notFound } from '../../../../lib/errors.js';
import { checked } from '../../../../lib/validation/index.js';
import { Order } from '../entities/index.js';
import { hasOrderNumberShape, isWellFormedOrderNumber, normalizedOrderNumber } from './order-number.js';
import { existingOrderView } from './order-view.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * GetGuestOrder: a guest's order by its number and the email it was placed with (compared without
 * regard to case). A malformed number (or one whose check digit is wrong: a typo) is refused before
 * any query; a well-formed number and an email that do not make a guest order's pair are NOT_FOUND,
 * whichever of the two is wrong, and a customer's order is never found this way.
 */
export async function getGuestOrder(
  em: EntityManager,
  input: { orderNumber: string; email: string },
): Promise<OrderMessage> {
  const { orderNumber, email } = checked((v) => {
    const number = normalizedOrderNumber(input.orderNumber);
    if (number === '') v.add('order_number', 'is required');
    else if (!hasOrderNumberShape(number)) v.add('order_number', 'must look like ORD-1000042-7');
    else if (!isWellFormedOrderNumber(number))
      v.add('order_number', 'is not an order number (a digit is mistyped)');
    const address = input.email.trim();
    if (address === '') v.add('email', 'is required');
    else if (address.length > 254 || !EMAIL.test(address)) v.add('email', 'must be an email address');
    return { orderNumber: number, email: address };
  });
  const order = await em.findOne(Order, { orderNumber });
  if (!order?.guestEmail || order.guestEmail.toLowerCase() !== email.toLowerCase()) {
    throw notFound('guest order');
  }
  return existingOrderView(em, order.id, 'customer');
}
