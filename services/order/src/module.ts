import { OrderServiceService } from '../../../gen/ecommerce/order/v1/order.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { orderDatabase } from './database.js';
import { orderHandlers } from './handlers.js';

/**
 * Orders: customers' and guests' orders read back, staff listing, moving and annotating them. The
 * checkout (PlaceOrder, CancelOrder) arrives with its saga.
 */
export const orderModule: ServiceModule = {
  name: 'order',
  database: orderDatabase,
  async create({ orm, verifier, logger }) {
    return {
      grpc: [
        {
          name: 'ecommerce.order.v1.OrderService',
          definition: OrderServiceService,
          implementation: implementService(OrderServiceService, orderHandlers(orm), { verifier, logger }),
        },
      ],
    };
  },
};
