import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Deletes message keys older than `days`, at most `batch` of them (one statement: safe on every
 * replica at once). A key is needed only while its event can still arrive: until its inbox claim
 * and any dead letter of it are gone (the longer of the two retentions).
 */
export async function purgeNotificationKeys(em: EntityManager, days: number, batch: number): Promise<number> {
  const deleted = await em.execute<{ event_id: string }[]>(
    `DELETE FROM notification_keys WHERE (event_id, recipient_key, template, channel) IN (
       SELECT event_id, recipient_key, template, channel FROM notification_keys
        WHERE created_at < now() - make_interval(days => ?) LIMIT ?)
     RETURNING event_id`,
    [days, batch],
  );
  return deleted.length;
}
