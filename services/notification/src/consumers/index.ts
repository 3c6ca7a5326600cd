import { startConsumer, type EventHandlerBinding } from '../../../../lib/events/index.js';
import type { ServiceRuntime } from '../../../../lib/runtime/service-module.js';
import { authHandlers } from './auth-events.js';
import { cartHandlers } from './cart-events.js';
import type { ConsumerContext } from './consumer-context.js';
import { inventoryHandlers } from './inventory-events.js';
import { orderHandlers } from './order-events.js';
import { paymentHandlers } from './payment-events.js';
import { returnHandlers } from './return-events.js';

/**
 * Every event the notification service consumes, one durable per publisher; each event is claimed
 * in `infra.inbox` in the transaction that queues its messages, so a redelivery queues nothing.
 */
export async function startNotificationConsumers(
  { orm, events, logger, dispose }: ServiceRuntime,
  context: ConsumerContext,
): Promise<void> {
  const bySource: [string, string, EventHandlerBinding[]][] = [
    ['auth', 'notification-accounts', authHandlers(context)],
    ['order', 'notification-orders', orderHandlers(context)],
    ['payment', 'notification-payments', paymentHandlers(context)],
    ['cart', 'notification-carts', cartHandlers(context)],
    ['product', 'notification-inventory', inventoryHandlers(context)],
    ['return', 'notification-returns', returnHandlers(context)],
  ];
  for (const [source, consumer, handlers] of bySource) {
    const running = await startConsumer({ orm, transport: events, consumer, source, handlers, logger });
    dispose(running.name, () => running.stop());
  }
}
