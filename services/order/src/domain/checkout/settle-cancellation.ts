import type { MikroORM } from '@mikro-orm/postgresql';
import { Order, OrderItem } from '../../entities/index.js';
import type { CatalogPort, PaymentPort } from './checkout-ports.js';

export interface SettleCancellationDeps {
  orm: MikroORM;
  catalog: CatalogPort;
  payments: PaymentPort;
}

/**
 * Gives back what a cancelled order held: its sold units restocked and its payment refunded in
 * full, each keyed by the order, so running it again (a retry, the job, two replicas at once)
 * repeats nothing; then marks the payment refunded, which is what says the order is settled. An
 * order that is not cancelled, or already settled, is left alone.
 */
export async function settleCancellation(deps: SettleCancellationDeps, orderId: string): Promise<void> {
  const em = deps.orm.em.fork();
  const order = await em.findOne(Order, { id: orderId });
  if (!order || order.status !== 'cancelled' || order.paymentStatus !== 'paid') return;
  const items = await em.find(OrderItem, { order: order.id });
  await deps.catalog.restock(
    order.id,
    items.map((item) => ({ variantId: item.variantId, quantity: item.quantity })),
    `order ${order.orderNumber} cancelled`,
  );
  await deps.payments.undo(
    order.id,
    `order ${order.orderNumber} cancelled: ${order.cancellationReason ?? ''}`,
  );
  await em.nativeUpdate(Order, { id: order.id, paymentStatus: 'paid' }, { paymentStatus: 'refunded' });
}

/** Cancelled orders not settled yet, the oldest first (a partial index holds only these). */
export async function unsettledCancellations(orm: MikroORM, limit: number): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .execute<{ id: string }[]>(
      "SELECT id FROM orders WHERE status = 'cancelled' AND payment_status = 'paid' ORDER BY cancelled_at LIMIT ?",
      [limit],
    );
  return rows.map((row) => row.id);
}
