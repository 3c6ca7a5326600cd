import type { EntityManager } from '@mikro-orm/postgresql';
import type { Notification } from '../../../../gen/ecommerce/notification/v1/notification.js';
import { notFound } from '../../../../lib/errors.js';
import { keysetPageOf, pageFrom, type PageInput } from '../../../../lib/paging/index.js';
import { requireUuid } from '../../../../lib/validation/index.js';

interface InAppRow {
  id: string;
  notification_type: string;
  subject: string | null;
  body: string;
  created_at: Date | string;
  read_at: Date | string | null;
  cursor_at: string;
}

const COLUMNS = 'id, notification_type, subject, body, created_at, read_at, created_at::text AS cursor_at';

function notificationOf(row: InAppRow): Notification {
  return {
    notificationId: row.id,
    notificationType: row.notification_type,
    subject: row.subject ?? '',
    body: row.body,
    createdAt: new Date(row.created_at),
    readAt: row.read_at === null ? undefined : new Date(row.read_at),
  };
}

/** A customer's in-app notifications newest first, keyset-paged on (created_at, id). */
export async function listMyNotifications(
  em: EntityManager,
  userId: string,
  input: { page?: PageInput | undefined; unreadOnly: boolean },
): Promise<{ notifications: Notification[]; nextPageToken: string }> {
  const page = keysetPageOf(input.page, { u: userId, unread: input.unreadOnly }, 'timestamp');
  const where = ['user_id = ?', "channel = 'in_app'"];
  const params: unknown[] = [userId];
  if (input.unreadOnly) where.push('read_at IS NULL');
  if (page.after) {
    where.push('(created_at, id) < (?::timestamptz, ?)');
    params.push(page.after.key, page.after.id);
  }
  const rows = await em.execute<InAppRow[]>(
    `SELECT ${COLUMNS} FROM notifications WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`,
    [...params, page.size + 1],
  );
  const shown = pageFrom(rows, page, (row) => ({ key: row.cursor_at, id: row.id }));
  return { notifications: shown.rows.map(notificationOf), nextPageToken: shown.nextPageToken };
}

/** MarkNotificationRead: the first read time is kept; another account's notification is NOT_FOUND. */
export async function markNotificationRead(
  em: EntityManager,
  userId: string,
  notificationId: string,
): Promise<Notification> {
  const id = requireUuid('notification_id', notificationId);
  const [row] = await em.execute<InAppRow[]>(
    `UPDATE notifications SET read_at = COALESCE(read_at, now()), updated_at = now()
     WHERE id = ? AND user_id = ? AND channel = 'in_app' RETURNING ${COLUMNS}`,
    [id, userId],
  );
  if (!row) throw notFound('notification', id);
  return notificationOf(row);
}
