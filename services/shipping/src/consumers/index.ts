import { startConsumer } from '../../../../lib/events/index.js';
import type { ServiceRuntime } from '../../../../lib/runtime/service-module.js';
import { orderEventHandlers } from './order-events.js';

/** Every event the shipping service consumes: the order's confirmation and cancellation. */
export async function startShippingConsumers({
  orm,
  events,
  logger,
  dispose,
}: ServiceRuntime): Promise<void> {
  const orders = await startConsumer({
    orm,
    transport: events,
    consumer: 'shipping-orders',
    source: 'order',
    handlers: orderEventHandlers,
    logger,
  });
  dispose(orders.name, () => orders.stop());
}
