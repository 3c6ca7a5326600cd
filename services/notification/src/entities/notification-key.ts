import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * What makes a message unique: the event that caused it, its recipient (a user id, or an address
 * for someone without an account), its template and channel. Written in the transaction that
 * writes the message, so one event sends one message per recipient, template and channel however
 * often it is handled. A table of its own because a unique key on the partitioned `notifications`
 * would have to include `created_at`.
 */
export const NotificationKey = defineEntity({
  name: 'NotificationKey',
  tableName: 'notification_keys',
  properties: {
    eventId: p.uuid().primary(),
    recipientKey: p.text().primary(),
    template: p.text().primary(),
    channel: p.text().primary(),
    notificationId: p.uuid(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type NotificationKey = InferEntity<typeof NotificationKey>;
