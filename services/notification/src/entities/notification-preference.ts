import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

/**
 * Which channels a user (auth; cross-service) accepts for one notification type; one row per pair.
 * No row: every channel on. The sender uses email and in-app; sms and push are not sent yet.
 */
export const NotificationPreference = defineEntity({
  name: 'NotificationPreference',
  tableName: 'notification_preferences',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    userId: p.uuid(),
    notificationType: p.text(),
    emailEnabled: p.boolean().default(true),
    smsEnabled: p.boolean().default(false),
    pushEnabled: p.boolean().default(true),
    inAppEnabled: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type NotificationPreference = InferEntity<typeof NotificationPreference>;
