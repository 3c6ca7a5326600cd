import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../../lib/log.js';
import type { BackgroundTask } from '../../../lib/runtime/service-module.js';
import { abandonIdleCarts } from './domain/abandon-idle-carts.js';
import type { CartSettings } from './settings.js';

/**
 * The background job that marks idle carts abandoned: every `sweepIntervalMs`, in batches. Safe
 * with several replicas (see abandonIdleCartsBatch). A failed run is logged and tried again at the
 * next tick; stopping waits for a run in progress.
 */
export function startExpiryJob(orm: MikroORM, settings: CartSettings, logger: Logger): BackgroundTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const run = async (): Promise<void> => {
    try {
      const abandoned = await abandonIdleCarts(orm.em.fork(), settings.sweepBatchSize);
      if (abandoned > 0) logger.info({ abandoned }, 'marked idle carts abandoned');
    } catch (error) {
      logger.error({ err: error }, 'cart expiry run failed');
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = undefined;
        schedule();
      });
    }, settings.sweepIntervalMs);
    timer.unref();
  };
  schedule();

  return {
    name: 'cart expiry job',
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
