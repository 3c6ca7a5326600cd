import { ShippingServiceService } from '../../../gen/ecommerce/shipping/v1/shipping.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { orderServiceApproval } from './clients/order-approval.js';
import { productServiceCatalog } from './clients/product-catalog.js';
import { startShippingConsumers } from './consumers/index.js';
import { shippingDatabase } from './database.js';
import { carrierAdapters } from './domain/carriers/carrier-adapters.js';
import { simulatedCarrier } from './domain/carriers/simulated-carrier.js';
import { databaseClock } from './domain/carriers/simulated-clock.js';
import { shippingHandlers } from './handlers.js';
import { startTrackingPoll } from './jobs/tracking-poll.js';
import { seedShippingDemo } from './seed/index.js';
import { carrierKeyCipherFrom } from './settings.js';

/**
 * The shipping service: zones, methods, rate tiers and carriers for the staff, quotes for
 * shoppers (weights from the product service) and the checkout's confirmation; then the
 * fulfilment: a shipment per confirmed order (consumers), split and handed to carriers by the
 * staff, tracked through each carrier's adapter (the simulated carrier when there is no
 * integration) by a periodic job.
 */
export const shippingModule: ServiceModule = {
  name: 'shipping',
  database: shippingDatabase,
  seed: seedShippingDemo,
  async create(runtime) {
    const { config, env, orm, verifier, logger, serviceTokens, dispose } = runtime;
    const carrierKeys = await carrierKeyCipherFrom(config, env, logger);
    const catalog = productServiceCatalog(env);
    dispose('product client', () => catalog.close());
    const approval = orderServiceApproval(env, serviceTokens);
    dispose('order client', () => approval.close());
    const simulatedClock = databaseClock(() => orm.em.fork());
    const carriers = carrierAdapters(simulatedCarrier(simulatedClock));
    await startShippingConsumers(runtime);
    const tracking = startTrackingPoll(orm, carriers, logger);
    dispose('shipment tracking', () => tracking.stop());
    return {
      grpc: [
        {
          name: 'ecommerce.shipping.v1.ShippingService',
          definition: ShippingServiceService,
          implementation: implementService(
            ShippingServiceService,
            shippingHandlers(orm, { catalog, carrierKeys, carriers, approval, simulatedClock }),
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
