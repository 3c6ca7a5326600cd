import { on, startConsumer } from '../../../../lib/events/index.js';
import { OrderDeliveredEvent } from '../../../../lib/events/catalog.js';
import type { ServiceRuntime } from '../../../../lib/runtime/service-module.js';
import { recordDelivery } from '../domain/reviews/purchases.js';

/**
 * Every event the product service consumes through an inbox: a delivered order records verified
 * purchases. (The cache's per-replica subscription is the cache's own: `cache/cache-invalidation.ts`.)
 */
export async function startProductConsumers({ orm, events, logger, dispose }: ServiceRuntime): Promise<void> {
  const purchases = await startConsumer({
    orm,
    transport: events,
    consumer: 'product-purchases',
    source: 'order',
    handlers: [on(OrderDeliveredEvent, (em, event) => recordDelivery(em, event))],
    logger,
  });
  dispose(purchases.name, () => purchases.stop());
}
