import type { ProductServiceService } from '../../../gen/ecommerce/product/v1/product.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { catalogHandlers } from './handlers/catalog-handlers.js';
import { categoryHandlers } from './handlers/category-handlers.js';
import type { HandlerDeps } from './handlers/context.js';
import { inventoryHandlers } from './handlers/inventory-handlers.js';
import { reviewHandlers } from './handlers/review-handlers.js';

export { CATALOG_WRITE } from './handlers/context.js';

/** Every RPC of the product service: catalog, categories, inventory, reviews. */
export function productHandlers(deps: HandlerDeps): ServiceHandlers<typeof ProductServiceService> {
  return {
    ...catalogHandlers(deps),
    ...categoryHandlers(deps),
    ...inventoryHandlers(deps),
    ...reviewHandlers(deps),
  };
}
