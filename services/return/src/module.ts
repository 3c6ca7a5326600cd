import { ReturnServiceService } from '../../../gen/ecommerce/return/v1/return.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { orderServiceDesk } from './clients/order-desk.js';
import { paymentServiceRefunds } from './clients/payment-refunds.js';
import { productServiceRestocking } from './clients/product-restocking.js';
import { returnDatabase } from './database.js';
import { returnHandlers } from './handlers.js';
import { returnSettingsFrom } from './settings.js';

/**
 * Returns of delivered orders: asked for by customers within the return window, decided, received
 * (sellable goods restocked through the product service) and refunded through the payment
 * service by staff.
 */
export const returnModule: ServiceModule = {
  name: 'return',
  database: returnDatabase,
  async create({ orm, env, verifier, logger, serviceTokens, dispose }) {
    const settings = returnSettingsFrom(env);
    const orders = orderServiceDesk(env, serviceTokens);
    dispose('order client', () => orders.close());
    const payments = paymentServiceRefunds(env, serviceTokens);
    dispose('payment client', () => payments.close());
    const stock = productServiceRestocking(env, serviceTokens);
    dispose('product client', () => stock.close());
    const handlers = returnHandlers(orm, { orders, payments, stock }, settings);
    return {
      grpc: [
        {
          name: 'ecommerce.return.v1.ReturnService',
          definition: ReturnServiceService,
          implementation: implementService(ReturnServiceService, handlers, { verifier, logger }),
        },
      ],
    };
  },
};
