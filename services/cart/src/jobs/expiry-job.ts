import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../../../lib/log.js';
import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';
import { abandonIdleCarts } from '../domain/abandon-idle-carts.js';
import type { CartSettings } from '../settings.js';

/**
 * The background job that marks idle carts abandoned: every `sweepIntervalMs`, in batches. Safe
 * with several replicas (see abandonIdleCartsBatch).
 */
export function startExpiryJob(orm: MikroORM, settings: CartSettings, logger: Logger): PeriodicJob {
  return startPeriodicJob({
    name: 'cart expiry',
    service: 'cart',
    intervalMs: settings.sweepIntervalMs,
    logger,
    async run() {
      const abandoned = await abandonIdleCarts(orm.em.fork(), settings.sweepBatchSize);
      if (abandoned > 0) logger.info({ abandoned }, 'marked idle carts abandoned');
    },
  });
}
