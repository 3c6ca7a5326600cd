import { DiscountServiceService } from '../../../gen/ecommerce/discount/v1/discount.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { discountDatabase } from './database.js';
import { seedDiscountDemo } from './seed/index.js';

/** The discount service: its contract is declared; its RPCs arrive with their issue. */
export const discountModule: ServiceModule = {
  name: 'discount',
  database: discountDatabase,
  seed: seedDiscountDemo,
  async create({ verifier, logger }) {
    return {
      grpc: [
        {
          name: 'ecommerce.discount.v1.DiscountService',
          definition: DiscountServiceService,
          implementation: implementService(DiscountServiceService, {}, { verifier, logger }),
        },
      ],
    };
  },
};
