import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../../../lib/log.js';
import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';
import type { CarrierAdapters } from '../domain/carriers/carrier-adapter.js';
import { pollTracking } from '../domain/fulfilment/poll-tracking.js';

/** How often the carriers are asked for news of the parcels on their way. */
export const TRACKING_POLL_INTERVAL_MS = 60_000;

/**
 * The background job that records the carriers' news of every parcel on its way (pollTracking),
 * every minute. Safe with several replicas: an entry is recorded once.
 */
export function startTrackingPoll(orm: MikroORM, adapters: CarrierAdapters, logger: Logger): PeriodicJob {
  return startPeriodicJob({
    name: 'shipment tracking',
    service: 'shipping',
    intervalMs: TRACKING_POLL_INTERVAL_MS,
    logger,
    async run(job) {
      const recorded = await pollTracking(() => orm.em.fork(), adapters, job.stopping);
      if (recorded > 0) logger.info({ recorded }, 'recorded tracking entries');
    },
  });
}
