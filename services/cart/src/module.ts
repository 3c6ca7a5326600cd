import { CartServiceService } from '../../../gen/ecommerce/cart/v1/cart.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { cartDatabase } from './database.js';
import { startCartConsumers } from './consumers/index.js';
import { startExpiryJob } from './jobs/expiry-job.js';
import { cartHandlers } from './handlers.js';
import { discountServiceDiscounts } from './clients/discount-service.js';
import { productServiceCatalog } from './clients/product-catalog.js';
import { cartSettingsFrom } from './settings.js';

/**
 * Guest and customer carts, checked against the catalog and priced by the discount service; idle
 * carts expire in the background; a confirmed order converts its cart.
 */
export const cartModule: ServiceModule = {
  name: 'cart',
  database: cartDatabase,
  async create(runtime) {
    const { orm, env, verifier, logger, dispose, serviceTokens } = runtime;
    const settings = cartSettingsFrom(env);
    const catalog = productServiceCatalog(env);
    dispose('product client', () => catalog.close());
    const discounts = discountServiceDiscounts(env, serviceTokens);
    dispose('discount client', () => discounts.close());
    const expiry = startExpiryJob(orm, settings, logger);
    dispose(expiry.name, () => expiry.stop());
    await startCartConsumers(runtime);
    const deps = { catalog, discounts, idleExpiryMs: settings.idleExpiryMs };
    return {
      grpc: [
        {
          name: 'ecommerce.cart.v1.CartService',
          definition: CartServiceService,
          implementation: implementService(CartServiceService, cartHandlers(orm, deps), {
            verifier,
            logger,
          }),
        },
      ],
    };
  },
};
