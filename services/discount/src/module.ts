import { DiscountServiceService } from '../../../gen/ecommerce/discount/v1/discount.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { discountDatabase } from './database.js';
import { RunningPromotions } from './domain/promotions/running-promotions.js';
import { CouponRush } from './domain/usage/coupon-rush.js';
import { discountHandlers } from './handlers.js';
import { startPromotionRefreshJob } from './jobs/promotion-refresh-job.js';
import { startReservationExpiryJob } from './jobs/reservation-expiry-job.js';
import { seedDiscountDemo } from './seed/index.js';
import { discountSettingsFrom } from './settings.js';

/**
 * Coupons and promotions, the pricing engine the cart and the checkout call, and the usage of
 * coupons by orders (reserved, redeemed, released; reservations of crashed checkouts expire).
 * The running promotions are held in memory, loaded before the first call is served.
 */
export const discountModule: ServiceModule = {
  name: 'discount',
  database: discountDatabase,
  seed: seedDiscountDemo,
  async create(runtime) {
    const { orm, env, verifier, logger, dispose } = runtime;
    const settings = discountSettingsFrom(env);
    const running = new RunningPromotions(() => orm.em.fork(), logger);
    await running.refresh();
    const refresh = startPromotionRefreshJob(running, settings, logger);
    dispose(refresh.name, () => refresh.stop());
    const expiry = startReservationExpiryJob(orm, settings, logger);
    dispose(expiry.name, () => expiry.stop());
    const deps = { running, rush: new CouponRush(), reservationTtlSeconds: settings.reservationTtlSeconds };
    return {
      grpc: [
        {
          name: 'ecommerce.discount.v1.DiscountService',
          definition: DiscountServiceService,
          implementation: implementService(DiscountServiceService, discountHandlers(orm, deps), {
            verifier,
            logger,
          }),
        },
      ],
    };
  },
};
