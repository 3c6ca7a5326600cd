import type { Logger } from '../../../../lib/log.js';
import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';
import type { CheckoutRunner } from '../domain/checkout/checkout-runner.js';

/** Stalled checkouts leased per run: each is resumed detached, so a run only takes the leases. */
const BATCH = 50;

/**
 * The checkout's second chance: at start and every interval, resumes the checkouts whose replica
 * stopped halfway (killed, restarted) or whose step was suspended by an outage, forward or
 * backward from where their order says they stand. Several replicas share the work: each takes
 * different orders (leases taken with SKIP LOCKED).
 */
export function startCheckoutRecovery(
  checkout: CheckoutRunner,
  intervalMs: number,
  logger: Logger,
): PeriodicJob {
  return startPeriodicJob({
    name: 'checkout recovery',
    service: 'order',
    intervalMs,
    runAtStart: true,
    logger,
    async run(job) {
      while (!job.stopping()) {
        const resumed = await checkout.resumeStalled(BATCH);
        if (resumed > 0) logger.info({ resumed }, 'resumed stalled checkouts');
        if (resumed < BATCH) return;
      }
    },
  });
}
