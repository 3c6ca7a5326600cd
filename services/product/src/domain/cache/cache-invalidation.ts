import {
  CategoryUpdatedEvent,
  InventoryLowStockEvent,
  ProductArchivedEvent,
  ProductCreatedEvent,
  ProductUpdatedEvent,
} from '../../../../../lib/events/catalog.js';
import {
  decodeEnvelope,
  type EventTransport,
  type TransportSubscription,
} from '../../../../../lib/events/index.js';
import { newId } from '../../../../../lib/ids.js';
import type { Logger } from '../../../../../lib/log.js';
import type { ProductCache } from './product-cache.js';

/** A product event drops that product (and every listing page, which may show it). */
const dropProduct =
  (productIdOf: (payload: Uint8Array) => string | undefined) =>
  (cache: ProductCache, payload: Uint8Array) => {
    const productId = productIdOf(payload);
    if (productId) cache.invalidate(productId);
    else cache.clear();
  };

/** What each event the subscription reads does to the cache, by event type. */
const ON_EVENT: Record<string, (cache: ProductCache, payload: Uint8Array) => void> = {
  [ProductCreatedEvent.typeName]: dropProduct((payload) => ProductCreatedEvent.decode(payload).product?.id),
  [ProductUpdatedEvent.typeName]: dropProduct((payload) => ProductUpdatedEvent.decode(payload).product?.id),
  [ProductArchivedEvent.typeName]: dropProduct((payload) => ProductArchivedEvent.decode(payload).product?.id),
  [InventoryLowStockEvent.typeName]: dropProduct(
    (payload) => InventoryLowStockEvent.decode(payload).productId,
  ),
  // The tree decides which products a listing by category shows; no product view changes.
  [CategoryUpdatedEvent.typeName]: (cache) => cache.invalidateLists(),
};

/**
 * Keeps this replica's cache in step with every replica's writes: an ephemeral subscription of
 * this process alone (every replica gets every event, unlike a shared durable) to the product
 * and category events. No inbox: dropping a cache entry twice is harmless. An event it cannot read
 * clears the whole cache rather than risk serving a stale product.
 */
export async function subscribeCacheInvalidation(
  transport: EventTransport,
  cache: ProductCache,
  logger: Logger,
): Promise<TransportSubscription> {
  return transport.subscribe(
    {
      stream: 'product',
      durable: `product-cache-${newId()}`,
      subjects: ['product.product.>', InventoryLowStockEvent.subject, CategoryUpdatedEvent.subject],
      maxDeliver: 1,
      backoffMs: [],
      ephemeral: true,
    },
    async (delivery) => {
      try {
        const envelope = decodeEnvelope(delivery.envelope);
        const apply = ON_EVENT[envelope.type];
        if (apply) apply(cache, envelope.payload);
        else cache.clear();
      } catch (error) {
        logger.warn({ err: error, subject: delivery.subject }, 'unreadable product event; cache cleared');
        cache.clear();
      }
    },
  );
}
