import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { EmailTemplate } from './email-template.js';

export type NotificationChannel = 'email' | 'sms' | 'push' | 'in_app';
export type NotificationStatus = 'pending' | 'sent' | 'delivered' | 'failed' | 'bounced';

/**
 * Every message (`userId`, an auth user, cross-service; null for a guest or the shop's own
 * addresses). Partitioned by month on `created_at`: the table's primary key is (id, created_at),
 * the entity's is `id`. `eventId` is the event that caused it, if any. Deleting a template leaves
 * its notifications with `template` null (they keep their rendered subject and bodies).
 * `recipient` is the address; null for an in-app message and for a customer's email until the
 * sender has looked the address up. A pending email is due at `scheduledAt`: the sender claims it
 * by moving `scheduledAt` to the end of its lease, and after a failed attempt to the next try.
 */
export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notifications',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    userId: p.uuid().nullable(),
    channel: p.text().$type<NotificationChannel>(),
    notificationType: p.text(),
    template: p.manyToOne(EmailTemplate).ref().nullable().deleteRule('set null'),
    recipient: p.text().nullable(),
    subject: p.text().nullable(),
    body: p.text(),
    bodyHtml: p.text().nullable(),
    status: p.text().$type<NotificationStatus>().default('pending'),
    eventId: p.uuid().nullable(),
    attempts: p.integer().default(0),
    metadata: p.json<Record<string, unknown>>().onCreate(() => ({})),
    scheduledAt: p.datetime().nullable(),
    sentAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
    readAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Notification = InferEntity<typeof Notification>;
