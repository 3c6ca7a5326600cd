import { ShippingServiceService } from '../../../gen/ecommerce/shipping/v1/shipping.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { productServiceCatalog } from './clients/product-catalog.js';
import { shippingDatabase } from './database.js';
import { shippingHandlers } from './handlers.js';
import { seedShippingDemo } from './seed/index.js';
import { carrierKeyCipherFrom } from './settings.js';

/**
 * The shipping service, its pricing side: zones, methods, rate tiers and carriers for the staff,
 * quotes for shoppers (weights from the product service) and the checkout's confirmation.
 * Shipments and tracking come later.
 */
export const shippingModule: ServiceModule = {
  name: 'shipping',
  database: shippingDatabase,
  seed: seedShippingDemo,
  async create({ config, env, orm, verifier, logger, dispose }) {
    const carrierKeys = await carrierKeyCipherFrom(config, env, logger);
    const catalog = productServiceCatalog(env);
    dispose('product client', () => catalog.close());
    return {
      grpc: [
        {
          name: 'ecommerce.shipping.v1.ShippingService',
          definition: ShippingServiceService,
          implementation: implementService(
            ShippingServiceService,
            shippingHandlers(orm, { catalog, carrierKeys }),
            {
              verifier,
              logger,
            },
          ),
        },
      ],
    };
  },
};
