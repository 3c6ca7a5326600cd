import type { Logger } from '../../../../lib/log.js';
import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';
import type { RunningPromotions } from '../domain/promotions/running-promotions.js';
import type { DiscountSettings } from '../settings.js';

/** Reloads the running promotions every DISCOUNT_PROMOTION_REFRESH_MS (the staleness bound of a replica). */
export function startPromotionRefreshJob(
  running: RunningPromotions,
  settings: DiscountSettings,
  logger: Logger,
): PeriodicJob {
  return startPeriodicJob({
    name: 'running promotions refresh',
    service: 'discount',
    intervalMs: settings.promotionRefreshMs,
    logger,
    run: () => running.refresh(),
  });
}
