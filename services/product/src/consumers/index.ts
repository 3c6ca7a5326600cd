import type { MikroORM } from '@mikro-orm/postgresql';
import { on, startConsumer, type EventTransport } from '../../../../lib/events/index.js';
import { OrderDeliveredEvent } from '../../../../lib/events/catalog.js';
import type { Logger } from '../../../../lib/log.js';
import type { BackgroundTask } from '../../../../lib/runtime/service-module.js';
import { recordDelivery } from '../reviews/purchases.js';

/**
 * Every event the product service consumes through an inbox: a delivered order records verified
 * purchases. (The cache's per-replica subscription is the cache's own: `cache/cache-invalidation.ts`.)
 */
export async function startProductConsumers(runtime: {
  orm: MikroORM;
  events: EventTransport;
  logger: Logger;
}): Promise<BackgroundTask[]> {
  const { orm, events: transport, logger } = runtime;
  return [
    await startConsumer({
      orm,
      transport,
      consumer: 'product-purchases',
      source: 'order',
      handlers: [on(OrderDeliveredEvent, (em, event) => recordDelivery(em, event))],
      logger,
    }),
  ];
}
