import { OrderServiceService } from '../../../gen/ecommerce/order/v1/order.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { orderDatabase } from './database.js';
import { orderSettingsFrom } from './settings.js';

/** The order service: its contract is declared; its RPCs arrive with their issue. */
export const orderModule: ServiceModule = {
  name: 'order',
  database: orderDatabase,
  async create({ env, verifier, logger }) {
    // Read at start so a bad tax table refuses the start; the checkout will compute totals with it.
    orderSettingsFrom(env);
    return {
      grpc: [
        {
          name: 'ecommerce.order.v1.OrderService',
          definition: OrderServiceService,
          implementation: implementService(OrderServiceService, {}, { verifier, logger }),
        },
      ],
    };
  },
};
