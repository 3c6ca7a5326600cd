import type { EntityManager } from '@mikro-orm/postgresql';
import { StateMachine, type StatusChange } from '../../../../lib/state-machine.js';
import { OrderStatusHistory } from '../entities/index.js';
import type { OrderStatus } from '../entities/order.js';

/** Who changes a status when no person does: the checkout, its recovery, an event. */
export const SYSTEM = 'system';

/**
 * Writes the history row of one status change (`from` is unset for an order's first row, written
 * by the checkout when it creates the order).
 */
export async function writeStatusHistory(
  tx: EntityManager,
  change: Omit<StatusChange<OrderStatus>, 'from'> & { from: OrderStatus | null },
): Promise<void> {
  tx.create(OrderStatusHistory, {
    order: change.id,
    status: change.to,
    previousStatus: change.from,
    changedBy: change.changedBy,
    reason: change.note ?? null,
  });
  await tx.flush();
}

/**
 * The allowed status changes of an order: the one place that knows them. The checkout confirms
 * or cancels a pending order; staff move a confirmed one along its fulfilment; it may be cancelled
 * until it ships; refunds follow a return (a partial one may be followed by more, up to the whole).
 * `apply` treats a change to the status an order already has as nothing to do (no history row):
 * a further partial refund writes its own row with `writeStatusHistory`.
 */
export const orderStatuses = new StateMachine<OrderStatus, EntityManager>(
  'order',
  {
    pending: ['confirmed', 'cancelled'],
    confirmed: ['processing', 'cancelled', 'partially_refunded', 'refunded'],
    processing: ['shipped', 'cancelled'],
    shipped: ['delivered'],
    delivered: ['partially_refunded', 'refunded'],
    partially_refunded: ['partially_refunded', 'refunded'],
    refunded: [],
    cancelled: [],
  },
  writeStatusHistory,
);
