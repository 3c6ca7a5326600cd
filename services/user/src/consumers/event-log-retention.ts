import type { MikroORM } from '@mikro-orm/postgresql';
import { deleteInBatches } from '../../../../lib/db/batch-delete.js';
import type { EventRetention } from '../../../../lib/events/index.js';
import type { Logger } from '../../../../lib/log.js';
import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';

/**
 * The event log is this service's inbox, so it is kept as long as `infra.inbox`
 * (EVENTS_INBOX_RETENTION_DAYS, always longer than a stream keeps an event): hourly, processed rows
 * older than that are deleted in bounded batches (safe on every replica).
 */
export function startEventLogRetention(
  orm: MikroORM,
  retention: EventRetention,
  logger: Logger,
): PeriodicJob {
  return startPeriodicJob({
    name: 'event log retention',
    service: 'user',
    intervalMs: 3600_000,
    runAtStart: true,
    logger,
    async run(job) {
      const deleted = await deleteInBatches(
        orm.em.fork(),
        'event_logs',
        'id',
        'processed AND processed_at < now() - make_interval(days => ?)',
        [retention.inboxDays],
        { stopping: job.stopping },
      );
      if (deleted > 0) logger.info({ deleted }, 'purged event log rows past the inbox retention');
    },
  });
}
