import { on, startConsumer } from '../../../../lib/events/index.js';
import { OrderConfirmedEvent } from '../../../../lib/events/catalog.js';
import type { ServiceRuntime } from '../../../../lib/runtime/service-module.js';
import { convertCartOfOrder, convertCartAtOnce } from '../domain/convert-cart.js';

/** Every event the cart service consumes: a confirmed order converts its cart. */
export async function startCartConsumers({ orm, events, logger, dispose }: ServiceRuntime): Promise<void> {
  const orders = await startConsumer({
    orm,
    transport: events,
    consumer: 'cart-orders',
    source: 'order',
    handlers: [
      on(OrderConfirmedEvent, (em, event) => convertCartOfOrder(em, event, logger), {
        atOnce: (em, event, _envelope, claim) => convertCartAtOnce(em, event, claim),
      }),
    ],
    logger,
  });
  dispose(orders.name, () => orders.stop());
}
