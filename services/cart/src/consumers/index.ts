import type { MikroORM } from '@mikro-orm/postgresql';
import { on, startConsumer, type EventTransport } from '../../../../lib/events/index.js';
import { OrderConfirmedEvent } from '../../../../lib/events/catalog.js';
import type { Logger } from '../../../../lib/log.js';
import type { BackgroundTask } from '../../../../lib/runtime/service-module.js';
import { convertCartOfOrder } from '../domain/convert-cart.js';

/** Every event the cart service consumes: a confirmed order converts its cart. */
export async function startCartConsumers(runtime: {
  orm: MikroORM;
  events: EventTransport;
  logger: Logger;
}): Promise<BackgroundTask[]> {
  const { orm, events: transport, logger } = runtime;
  return [
    await startConsumer({
      orm,
      transport,
      consumer: 'cart-orders',
      source: 'order',
      handlers: [on(OrderConfirmedEvent, (em, event) => convertCartOfOrder(em, event, logger))],
      logger,
    }),
  ];
}
