import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../../../lib/log.js';
import type { BackgroundTask } from '../../../../lib/runtime/service-module.js';

const HOUR_MS = 3600_000;
/** Kept past expiry so that an admin can still see recent sessions and links when investigating. */
const KEEP_EXPIRED_DAYS = 7;

/**
 * Deletes refresh tokens, verification links and reset links that expired more than a week ago:
 * every login and refresh adds a row, and nothing else ever removes them. A token past its expiry
 * is refused whether its row exists or not. Returns how many rows each table lost.
 */
export async function purgeExpiredTokens(
  em: EntityManager,
): Promise<{ refreshTokens: number; verificationTokens: number; resetTokens: number }> {
  const purge = async (table: string): Promise<number> => {
    const rows = await em.execute<{ id: string }[]>(
      `DELETE FROM ${table} WHERE expires_at < now() - make_interval(days => ?) RETURNING id`,
      [KEEP_EXPIRED_DAYS],
    );
    return rows.length;
  };
  return {
    refreshTokens: await purge('refresh_tokens'),
    verificationTokens: await purge('email_verification_tokens'),
    resetTokens: await purge('password_reset_tokens'),
  };
}

/** Runs the purge hourly (each replica; the DELETEs are idempotent). */
export function startTokenCleanup(orm: MikroORM, logger: Logger): BackgroundTask {
  const timer = setInterval(() => {
    purgeExpiredTokens(orm.em.fork())
      .then((purged) => {
        if (purged.refreshTokens + purged.verificationTokens + purged.resetTokens > 0) {
          logger.info(purged, 'purged expired tokens');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'purging expired tokens failed'));
  }, HOUR_MS);
  timer.unref();
  return { name: 'expired token cleanup', stop: async () => clearInterval(timer) };
}
