import { CartServiceService } from '../../../gen/ecommerce/cart/v1/cart.js';
import { on, startConsumer } from '../../../lib/events/index.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { OrderConfirmedEvent } from '../../../lib/events/catalog.js';
import { cartDatabase } from './database.js';
import { convertCartOfOrder } from './domain/convert-cart.js';
import { startExpiryJob } from './expiry-job.js';
import { cartHandlers } from './handlers.js';
import { productServiceCatalog } from './product-catalog.js';
import { cartSettingsFrom } from './settings.js';

/**
 * Guest and customer carts, checked against the catalog; idle carts expire in the background; a
 * confirmed order converts its cart.
 */
export const cartModule: ServiceModule = {
  name: 'cart',
  database: cartDatabase,
  async create({ orm, env, events, verifier, logger, dispose }) {
    const settings = cartSettingsFrom(env);
    const orderEvents = await startConsumer({
      orm,
      transport: events,
      consumer: 'cart-orders',
      source: 'order',
      handlers: [on(OrderConfirmedEvent, (em, event) => convertCartOfOrder(em, event, logger))],
      logger,
    });
    dispose('cart-orders consumer', () => orderEvents.stop());
    const catalog = productServiceCatalog(env);
    dispose('product client', () => catalog.close());
    const deps = { catalog, idleExpiryMs: settings.idleExpiryMs };
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
      background: [startExpiryJob(orm, settings, logger)],
    };
  },
};
