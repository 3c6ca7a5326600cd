import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';

export interface OrderContactRow {
  order_number: string;
  user_id: string | null;
  guest_email: string | null;
}

/** Who an order's mail goes to, as an order event names it. */
export interface NewOrderContact {
  orderId: string;
  orderNumber: string;
  userId: string | null;
  guestEmail: string | null;
}

/** The contact an order event names; null when it names no order number (nothing to remember). */
export function orderContactIn(event: {
  orderId: string;
  orderNumber: string;
  userId: string;
  guestEmail: string;
}): NewOrderContact | null {
  if (event.orderNumber === '') return null;
  return {
    orderId: event.orderId,
    orderNumber: event.orderNumber,
    userId: event.userId || null,
    guestEmail: event.guestEmail || null,
  };
}

/**
 * The insert of an order's contact (the first event that names it wins; they agree), with the
 * parameters of `contactParams`; a null order id inserts nothing, nor does a false `onlyIf` (an SQL
 * condition). It is a statement by itself
 * (`rememberOrderContact`) and a CTE of the queue statement (`queueNotification`), which writes
 * the receipt and remembers its order at once.
 */
export const rememberContactSql = (onlyIf = 'true') => `
    INSERT INTO order_contacts (order_id, order_number, user_id, guest_email)
    SELECT :contactOrderId::uuid, :contactOrderNumber, :contactUserId::uuid, :contactGuestEmail
     WHERE :contactOrderId::uuid IS NOT NULL AND ${onlyIf}
    ON CONFLICT (order_id) DO NOTHING`;

export function contactParams(contact: NewOrderContact | null) {
  return {
    contactOrderId: contact?.orderId ?? null,
    contactOrderNumber: contact?.orderNumber ?? null,
    contactUserId: contact?.userId ?? null,
    contactGuestEmail: contact?.guestEmail ?? null,
  };
}

/** Remembers who an order's mail goes to, when no message is written with it. */
export async function rememberOrderContact(em: EntityManager, contact: NewOrderContact): Promise<void> {
  await executePrepared(em, 'notification:remember-contact', rememberContactSql(), contactParams(contact));
}

export async function orderContactOf(
  em: EntityManager,
  orderId: string,
): Promise<OrderContactRow | undefined> {
  const [row] = await executePrepared<OrderContactRow>(
    em,
    'notification:order-contact',
    'SELECT order_number, user_id, guest_email FROM order_contacts WHERE order_id = ?',
    [orderId],
  );
  return row;
}
