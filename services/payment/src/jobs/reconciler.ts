import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter } from 'prom-client';
import type { Logger } from '../../../../lib/log.js';
import { metricsRegistry } from '../../../../lib/metrics.js';
import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';
import {
  resolveUnknownOutcomes,
  returnOrphanedPayments,
  type Resolution,
} from '../domain/reconcile-payments.js';
import type { PaymentProvider } from '../providers/payment-provider.js';
import type { PaymentSettings } from '../settings.js';

/** Rows each part of a run looks at; the next run takes the rest. */
const BATCH = 100;

const NAME = 'payment_reconciler_resolutions_total';
/** Get-or-create: the module may load twice in one process (tests, tooling). */
export const reconcilerResolutions =
  (metricsRegistry.getSingleMetric(NAME) as Counter<'action'> | undefined) ??
  new Counter({
    name: NAME,
    help: 'What the payment reconciler did: outcome_resolved, outcome_still_unknown, orphan_voided, orphan_refunded, orphan_not_returned',
    labelNames: ['action'] as const,
    registers: [metricsRegistry],
  });

/**
 * The payment reconciler: at start and every PAYMENT_RECONCILE_INTERVAL_SECONDS, it asks the
 * gateway about operations whose outcome is unknown, then gives back the money of payments left
 * without a confirmed order past PAYMENT_ORPHAN_GRACE_SECONDS. Each resolution is logged and
 * counted (`payment_reconciler_resolutions_total{action}`). Safe on every replica at once: each
 * outcome is recorded once, each orphan returned under one idempotency key.
 */
export function startReconciler(
  orm: MikroORM,
  provider: PaymentProvider,
  settings: PaymentSettings,
  logger: Logger,
): PeriodicJob {
  const log = logger.child({ component: 'payment reconciler' });
  const report = (resolution: Resolution): void => {
    reconcilerResolutions.inc({ action: resolution.action });
    const level =
      resolution.action === 'outcome_still_unknown' || resolution.action === 'orphan_not_returned'
        ? 'warn'
        : 'info';
    log[level](resolution, `payment reconciler: ${resolution.action.replace(/_/g, ' ')}`);
  };
  return startPeriodicJob({
    name: 'payment reconciler',
    service: 'payment',
    intervalMs: settings.reconcileIntervalMs,
    runAtStart: true,
    logger,
    async run(job) {
      for (const resolution of await resolveUnknownOutcomes(orm.em.fork(), provider, BATCH))
        report(resolution);
      if (job.stopping()) return;
      for (const resolution of await returnOrphanedPayments(
        orm.em.fork(),
        provider,
        settings.orphanGraceMs,
        BATCH,
      )) {
        report(resolution);
      }
    },
  });
}
