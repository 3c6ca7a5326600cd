import {
  InventoryLowStockEvent,
  ProductArchivedEvent,
  ProductCreatedEvent,
  ProductUpdatedEvent,
} from '../../../../lib/events/catalog.js';
import {
  decodeEnvelope,
  type EventTransport,
  type TransportSubscription,
} from '../../../../lib/events/index.js';
import { newId } from '../../../../lib/ids.js';
import type { Logger } from '../../../../lib/log.js';
import type { ProductCache } from './product-cache.js';

/** The product id an event is about, by event type. */
const PRODUCT_ID_OF: Record<string, (payload: Uint8Array) => string | undefined> = {
  [ProductCreatedEvent.typeName]: (payload) => ProductCreatedEvent.decode(payload).product?.id,
  [ProductUpdatedEvent.typeName]: (payload) => ProductUpdatedEvent.decode(payload).product?.id,
  [ProductArchivedEvent.typeName]: (payload) => ProductArchivedEvent.decode(payload).product?.id,
  [InventoryLowStockEvent.typeName]: (payload) => InventoryLowStockEvent.decode(payload).productId,
};

/**
 * Keeps this replica's cache in step with every replica's writes: an ephemeral subscription of
 * this process alone (every replica gets every event, unlike a shared durable) to the product
 * events. No inbox: dropping a cache entry twice is harmless. An event it cannot read clears the
 * whole cache rather than risk serving a stale product.
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
      subjects: ['product.product.>', 'product.inventory.low_stock'],
      maxDeliver: 1,
      backoffMs: [],
      ephemeral: true,
    },
    async (delivery) => {
      try {
        const envelope = decodeEnvelope(delivery.envelope);
        const productId = PRODUCT_ID_OF[envelope.type]?.(envelope.payload);
        if (productId) cache.invalidate(productId);
        else cache.clear();
      } catch (error) {
        logger.warn({ err: error, subject: delivery.subject }, 'unreadable product event; cache cleared');
        cache.clear();
      }
    },
  );
}
