import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

/**
 * The service's inbox: every consumed event once per consumer (`consumer`, `eventId` unique),
 * written in the same transaction as its effect, so a redelivery changes nothing.
 */
export const EventLog = defineEntity({
  name: 'EventLog',
  tableName: 'event_logs',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    consumer: p.text(),
    eventId: p.uuid(),
    eventType: p.text(),
    source: p.text(),
    payload: p.json<Record<string, unknown>>(),
    processed: p.boolean().default(false),
    processedAt: p.datetime().nullable(),
    error: p.text().nullable(),
    attempts: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type EventLog = InferEntity<typeof EventLog>;
