import { ProductServiceService } from '../../../gen/ecommerce/product/v1/product.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { subscribeCacheInvalidation } from './domain/cache/cache-invalidation.js';
import { CachedProductReads } from './domain/cache/cached-reads.js';
import { ProductCache } from './domain/cache/product-cache.js';
import { startProductConsumers } from './consumers/index.js';
import { productDatabase } from './database.js';
import { databaseProducts } from './domain/catalog.js';
import { seedProductDemo } from './seed/index.js';
import { productHandlers } from './handlers.js';
import { startStockStatusReconciliation } from './domain/inventory/stock-status.js';
import { productSettingsFrom } from './settings.js';

/** Catalog, inventory and reviews. */
export const productModule: ServiceModule = {
  name: 'product',
  database: productDatabase,
  seed: seedProductDemo,
  async create(runtime) {
    const { orm, env, events, verifier, logger, dispose } = runtime;
    const settings = productSettingsFrom(env);
    const cache = new ProductCache({ ttlMs: settings.cacheTtlMs, maxEntries: settings.cacheMaxEntries });
    const invalidation = await subscribeCacheInvalidation(events, cache, logger);
    dispose('product cache invalidation', () => invalidation.stop());
    const databaseReads = databaseProducts(orm);
    const cachedReads = new CachedProductReads(cache, databaseReads);
    const deps = { orm, cache, databaseReads, cachedReads, settings };
    const reconciliation = startStockStatusReconciliation(orm, settings.lowStockThreshold, logger);
    dispose(reconciliation.name, () => reconciliation.stop());
    await startProductConsumers(runtime);
    return {
      grpc: [
        {
          name: 'ecommerce.product.v1.ProductService',
          definition: ProductServiceService,
          implementation: implementService(ProductServiceService, productHandlers(deps), {
            verifier,
            logger,
          }),
        },
      ],
    };
  },
};
