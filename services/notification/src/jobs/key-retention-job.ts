import type { MikroORM } from '@mikro-orm/postgresql';
import type { Env } from '../../../../lib/config/index.js';
import { eventRetentionFrom } from '../../../../lib/events/index.js';
import type { Logger } from '../../../../lib/log.js';
import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';
import { purgeNotificationKeys } from '../domain/purge-notification-keys.js';

const HOUR_MS = 3_600_000;
const BATCH = 1000;

/**
 * Hourly (and at start): deletes the message keys no event can need any more, kept as long as the
 * inbox claims and dead letters of their events (EVENTS_INBOX_RETENTION_DAYS,
 * EVENTS_DEAD_LETTER_RETENTION_DAYS), in batches.
 */
export function startKeyRetentionJob(orm: MikroORM, env: Env, logger: Logger): PeriodicJob {
  const retention = eventRetentionFrom(env);
  const days = Math.max(retention.inboxDays, retention.deadLetterDays);
  return startPeriodicJob({
    name: 'notification key retention',
    service: 'notification',
    intervalMs: HOUR_MS,
    runAtStart: true,
    logger,
    async run(job) {
      let deleted = 0;
      for (;;) {
        const batch = await purgeNotificationKeys(orm.em.fork(), days, BATCH);
        deleted += batch;
        if (batch < BATCH || job.stopping()) break;
      }
      if (deleted > 0) logger.info({ deleted }, 'purged old notification keys');
    },
  });
}
