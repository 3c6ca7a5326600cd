import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

export type DeliveryAttemptStatus = 'sent' | 'delivered' | 'failed' | 'bounced';

/**
 * One delivery attempt of a notification (`attempt` from 1). Partitioned by month on `created_at`
 * (primary key (id, created_at); the entity's is `id`). `notificationId` has an index but no
 * foreign key: both tables are partitioned and detached by age independently, and a key into a
 * partitioned table would have to carry its `created_at` and would block detaching old months.
 */
export const NotificationLog = defineEntity({
  name: 'NotificationLog',
  tableName: 'notification_logs',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    notificationId: p.uuid(),
    attempt: p.integer(),
    status: p.text().$type<DeliveryAttemptStatus>(),
    provider: p.text(),
    providerMessageId: p.text().nullable(),
    providerResponse: p.json<Record<string, unknown>>().nullable(),
    error: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type NotificationLog = InferEntity<typeof NotificationLog>;
