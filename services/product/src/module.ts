import { ProductServiceService } from '../../../gen/ecommerce/product/v1/product.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { productDatabase } from './database.js';
import { seedProductDemo } from './seed/index.js';
import { productHandlers } from './handlers.js';

/** Catalog, inventory and reviews. */
export const productModule: ServiceModule = {
  name: 'product',
  database: productDatabase,
  seed: seedProductDemo,
  async create({ orm, verifier, logger }) {
    return {
      grpc: [
        {
          name: 'ecommerce.product.v1.ProductService',
          definition: ProductServiceService,
          implementation: implementService(ProductServiceService, productHandlers(orm), { verifier, logger }),
        },
      ],
    };
  },
};
