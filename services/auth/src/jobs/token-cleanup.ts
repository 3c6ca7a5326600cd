import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { deleteInBatches } from '../../../../lib/db/batch-delete.js';
import type { Logger } from '../../../../lib/log.js';
import { startPeriodicJob, type JobRun, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';

const HOUR_MS = 3600_000;
/** Kept past expiry so that an admin can still see recent sessions and links when investigating. */
const KEEP_EXPIRED_DAYS = 7;

/**
 * Deletes refresh tokens, verification links and reset links that expired more than a week ago:
 * every login and refresh adds a row, and nothing else ever removes them. A token past its expiry
 * is refused whether its row exists or not. Works in bounded batches (idempotent, so every replica
 * may run it). Returns how many rows each table lost.
 */
export async function purgeExpiredTokens(
  em: EntityManager,
  job?: JobRun,
): Promise<{ refreshTokens: number; verificationTokens: number; resetTokens: number }> {
  const purge = (table: string): Promise<number> =>
    deleteInBatches(em, table, 'id', 'expires_at < now() - make_interval(days => ?)', [KEEP_EXPIRED_DAYS], {
      stopping: job?.stopping,
    });
  return {
    refreshTokens: await purge('refresh_tokens'),
    verificationTokens: await purge('email_verification_tokens'),
    resetTokens: await purge('password_reset_tokens'),
  };
}

/** Runs the purge hourly, on every replica. */
export function startTokenCleanup(orm: MikroORM, logger: Logger): PeriodicJob {
  return startPeriodicJob({
    name: 'expired token cleanup',
    service: 'auth',
    intervalMs: HOUR_MS,
    logger,
    async run(job) {
      const purged = await purgeExpiredTokens(orm.em.fork(), job);
      if (purged.refreshTokens + purged.verificationTokens + purged.resetTokens > 0) {
        logger.info(purged, 'purged expired tokens');
      }
    },
  });
}
