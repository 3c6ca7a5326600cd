import type { EntityManager } from '@mikro-orm/postgresql';
import type { NotificationPreference as PreferenceView } from '../../../../gen/ecommerce/notification/v1/notification.js';
import { NotificationChannel as Channel } from '../../../../gen/ecommerce/notification/v1/events.js';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';
import { NotificationReason } from '../../../../lib/error-reasons.js';
import { failedPrecondition, invalidArgument } from '../../../../lib/errors.js';
import { newId } from '../../../../lib/ids.js';
import { CUSTOMER_TYPES, NOTIFICATION_TYPES, type NotificationType } from './notification-types.js';

interface PreferenceRow {
  notification_type: string;
  email_enabled: boolean;
  in_app_enabled: boolean;
}

/** The channels a customer accepts for one type (transactional email is always on). */
export interface ChannelChoice {
  email: boolean;
  inApp: boolean;
}

function viewOf(type: NotificationType, row: PreferenceRow | undefined): PreferenceView {
  return {
    notificationType: type.name,
    emailEnabled: type.transactional || (row?.email_enabled ?? true),
    inAppEnabled: row?.in_app_enabled ?? true,
    transactional: type.transactional,
  };
}

/** What a customer accepts for `type`: their row, or every channel when they have none. */
export async function channelsAccepted(
  em: EntityManager,
  userId: string,
  type: NotificationType,
): Promise<ChannelChoice> {
  // Prepared: it runs for every message to a customer (their receipt among them).
  const [row] = await executePrepared<PreferenceRow>(
    em,
    'notification:preference',
    'SELECT notification_type, email_enabled, in_app_enabled FROM notification_preferences WHERE user_id = ? AND notification_type = ?',
    [userId, type.name],
  );
  const view = viewOf(type, row);
  return { email: view.emailEnabled, inApp: view.inAppEnabled };
}

export async function myPreferences(em: EntityManager, userId: string): Promise<PreferenceView[]> {
  const rows = await em.execute<PreferenceRow[]>(
    'SELECT notification_type, email_enabled, in_app_enabled FROM notification_preferences WHERE user_id = ?',
    [userId],
  );
  const byType = new Map(rows.map((row) => [row.notification_type, row]));
  return CUSTOMER_TYPES.map((type) => viewOf(type, byType.get(type.name)));
}

/**
 * SetMyNotificationPreference: one channel of one customer type, in one upsert (two at once for
 * the same type both land; the other channel is left as it was).
 */
export async function setMyPreference(
  em: EntityManager,
  userId: string,
  input: { notificationType: string; channel: Channel; enabled: boolean },
): Promise<PreferenceView> {
  const type = NOTIFICATION_TYPES.get(input.notificationType.trim());
  if (!type || type.audience !== 'customer') {
    throw invalidArgument(
      'notification_type',
      `must be one of ${CUSTOMER_TYPES.map((t) => t.name).join(', ')}`,
    );
  }
  const column =
    input.channel === Channel.NOTIFICATION_CHANNEL_EMAIL
      ? 'email_enabled'
      : input.channel === Channel.NOTIFICATION_CHANNEL_IN_APP
        ? 'in_app_enabled'
        : undefined;
  if (!column)
    throw invalidArgument('channel', 'must be NOTIFICATION_CHANNEL_EMAIL or NOTIFICATION_CHANNEL_IN_APP');
  if (column === 'email_enabled' && type.transactional && !input.enabled) {
    throw failedPrecondition(
      `${type.name} is transactional: its email is always sent`,
      NotificationReason.TRANSACTIONAL_NOTIFICATION,
      { notification_type: type.name },
    );
  }
  const [row] = await em.execute<PreferenceRow[]>(
    `INSERT INTO notification_preferences (id, user_id, notification_type, ${column})
     VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id, notification_type) DO UPDATE SET ${column} = excluded.${column}, updated_at = now()
     RETURNING notification_type, email_enabled, in_app_enabled`,
    [newId(), userId, type.name, input.enabled],
  );
  return viewOf(type, row);
}
