import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { OrderServiceService } from '../../../gen/ecommerce/order/v1/order.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { cartServiceCheckout } from './clients/cart-checkout.js';
import { discountServiceDesk } from './clients/discount-desk.js';
import { paymentServiceDesk } from './clients/payment-desk.js';
import { productServiceInventory } from './clients/product-inventory.js';
import { shippingServiceDesk } from './clients/shipping-desk.js';
import { userServiceAddresses } from './clients/saved-addresses.js';
import { startOrderConsumers } from './consumers/index.js';
import { orderDatabase } from './database.js';
import { CheckoutRunner } from './domain/checkout/checkout-runner.js';
import { checkoutSaga } from './domain/checkout/checkout-steps.js';
import { orderHandlers } from './handlers.js';
import { startCancellationSettlement } from './jobs/cancellation-settlement.js';
import { startCheckoutRecovery } from './jobs/checkout-recovery.js';
import { orderSettingsFrom } from './settings.js';

/**
 * Orders: the checkout (a saga across the cart, product, shipping, discount and payment services,
 * recovered after a crash), and orders read back, listed, moved along their fulfilment (by staff,
 * or by the shipping service's events), annotated and cancelled.
 */
export const orderModule: ServiceModule = {
  name: 'order',
  database: orderDatabase,
  async create(runtime) {
    const { orm, env, verifier, logger, serviceTokens, dispose } = runtime;
    const settings = orderSettingsFrom(env);
    const ports = {
      cart: cartServiceCheckout(env, serviceTokens),
      catalog: productServiceInventory(env, serviceTokens),
      shipping: shippingServiceDesk(env, serviceTokens),
      discounts: discountServiceDesk(env, serviceTokens),
      payments: paymentServiceDesk(env, serviceTokens),
    };
    for (const [name, client] of Object.entries(ports)) dispose(`${name} client`, () => client.close());
    const addresses = userServiceAddresses(env);
    dispose('user client', () => addresses.close());

    // One lease owner per process: a checkout this process runs is resumed elsewhere only once
    // this process has been silent on it for the lease's length.
    const lease = {
      owner: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      leaseMs: settings.checkoutLeaseMs,
    };
    const checkout = new CheckoutRunner({
      orm,
      saga: checkoutSaga(ports, settings),
      lease,
      logger: logger.child({ component: 'checkout' }),
      sagaDeadlineMs: settings.checkoutDeadlineMs,
      maxWaitMs: settings.checkoutDeadlineMs,
      maxConcurrent: settings.checkoutConcurrency,
    });
    dispose('checkout runs', () => checkout.stop());
    const recovery = startCheckoutRecovery(checkout, settings.checkoutRecoveryIntervalMs, logger);
    dispose('checkout recovery', () => recovery.stop());
    const settlement = startCancellationSettlement(
      { orm, catalog: ports.catalog, payments: ports.payments },
      settings.checkoutRecoveryIntervalMs,
      logger,
    );
    dispose('cancellation settlement', () => settlement.stop());

    await startOrderConsumers(runtime);

    const handlers = orderHandlers(orm, {
      placing: { orm, checkout, addresses, lease, pricesIncludeTax: settings.pricesIncludeTax },
      cancelling: { orm, catalog: ports.catalog, payments: ports.payments, logger },
    });
    return {
      grpc: [
        {
          name: 'ecommerce.order.v1.OrderService',
          definition: OrderServiceService,
          implementation: implementService(OrderServiceService, handlers, { verifier, logger }),
        },
      ],
    };
  },
};
