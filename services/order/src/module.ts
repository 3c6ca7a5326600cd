import { OrderServiceService } from '../../../gen/ecommerce/order/v1/order.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { orderDatabase } from './database.js';

/** The order service: its contract is declared; its RPCs arrive with their issue. */
export const orderModule: ServiceModule = {
  name: 'order',
  database: orderDatabase,
  async create({ verifier, logger }) {
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
