import { ShippingServiceService } from '../../../gen/ecommerce/shipping/v1/shipping.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { shippingDatabase } from './database.js';
import { seedShippingDemo } from './seed/index.js';

/** The shipping service: its contract is declared; its RPCs arrive with their issue. */
export const shippingModule: ServiceModule = {
  name: 'shipping',
  database: shippingDatabase,
  seed: seedShippingDemo,
  async create({ verifier, logger }) {
    return {
      grpc: [
        {
          name: 'ecommerce.shipping.v1.ShippingService',
          definition: ShippingServiceService,
          implementation: implementService(ShippingServiceService, {}, { verifier, logger }),
        },
      ],
    };
  },
};
