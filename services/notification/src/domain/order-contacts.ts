import type { EntityManager } from '@mikro-orm/postgresql';

export interface OrderContactRow {
  order_number: string;
  user_id: string | null;
  guest_email: string | null;
}

/** Remembers who an order's mail goes to (the first event that names it wins; they agree). */
export async function rememberOrderContact(
  em: EntityManager,
  contact: { orderId: string; orderNumber: string; userId: string; guestEmail: string },
): Promise<void> {
  if (contact.orderNumber === '') return;
  await em.execute(
    `INSERT INTO order_contacts (order_id, order_number, user_id, guest_email) VALUES (?, ?, ?, ?)
     ON CONFLICT (order_id) DO NOTHING`,
    [contact.orderId, contact.orderNumber, contact.userId || null, contact.guestEmail || null],
  );
}

export async function orderContactOf(
  em: EntityManager,
  orderId: string,
): Promise<OrderContactRow | undefined> {
  const [row] = await em.execute<OrderContactRow[]>(
    'SELECT order_number, user_id, guest_email FROM order_contacts WHERE order_id = ?',
    [orderId],
  );
  return row;
}
