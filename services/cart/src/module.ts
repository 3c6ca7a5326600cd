import { CartServiceService } from '../../../gen/ecommerce/cart/v1/cart.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { cartDatabase } from './database.js';
import { cartHandlers } from './handlers.js';
import { productServiceCatalog } from './product-catalog.js';

/** Guest and customer carts, checked against the catalog. */
export const cartModule: ServiceModule = {
  name: 'cart',
  database: cartDatabase,
  async create({ orm, env, verifier, logger }) {
    const catalog = productServiceCatalog(env);
    return {
      grpc: [
        {
          name: 'ecommerce.cart.v1.CartService',
          definition: CartServiceService,
          implementation: implementService(CartServiceService, cartHandlers(orm, catalog), {
            verifier,
            logger,
          }),
        },
      ],
      background: [{ name: 'product client', stop: async () => catalog.close() }],
    };
  },
};
