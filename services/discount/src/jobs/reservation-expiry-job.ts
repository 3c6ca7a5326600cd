import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../../../lib/log.js';
import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';
import { expireReservations } from '../domain/usage/release-usage.js';
import type { DiscountSettings } from '../settings.js';

/**
 * Releases the reservations of checkouts that never finished (neither redeemed nor released
 * within DISCOUNT_RESERVATION_TTL_SECONDS), so their coupon uses count no more. Safe on every
 * replica: each release re-checks the reservation under its row lock.
 */
export function startReservationExpiryJob(
  orm: MikroORM,
  settings: DiscountSettings,
  logger: Logger,
): PeriodicJob {
  return startPeriodicJob({
    name: 'discount reservation expiry',
    service: 'discount',
    intervalMs: settings.reservationSweepIntervalMs,
    logger,
    async run() {
      const released = await expireReservations(orm.em.fork(), settings.reservationSweepBatchSize);
      if (released > 0) logger.info({ released }, 'released expired discount reservations');
    },
  });
}
