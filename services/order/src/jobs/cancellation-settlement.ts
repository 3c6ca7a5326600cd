import type { Logger } from '../../../../lib/log.js';
import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';
import {
  settleCancellation,
  unsettledCancellations,
  type SettleCancellationDeps,
} from '../domain/checkout/settle-cancellation.js';

/** Cancelled orders settled per run. */
const BATCH = 50;

/**
 * CancelOrder's second chance: at start and every interval, restocks and refunds the cancelled
 * orders whose settlement did not finish (a service down, the process stopped). Every replica runs
 * it; the settlement is keyed by the order, so two replicas on one order repeat nothing.
 */
export function startCancellationSettlement(
  deps: SettleCancellationDeps,
  intervalMs: number,
  logger: Logger,
): PeriodicJob {
  return startPeriodicJob({
    name: 'cancellation settlement',
    service: 'order',
    intervalMs,
    runAtStart: true,
    logger,
    async run() {
      for (const orderId of await unsettledCancellations(deps.orm, BATCH)) {
        try {
          await settleCancellation(deps, orderId);
          logger.info({ orderId }, 'cancelled order settled: restocked and refunded');
        } catch (error) {
          logger.warn({ err: error, orderId }, 'cancelled order not settled yet; next run retries');
        }
      }
    },
  });
}
