import type { EntityManager } from '@mikro-orm/postgresql';
import { storableText, type EventEnvelope, type Inbox } from '../../../../lib/events/index.js';
import { newId } from '../../../../lib/ids.js';

/**
 * The user service keeps its inbox in its own `event_logs` table (docs/database/user_db.md): every event each
 * consumer applied, with its payload, claimed in the same transaction as the effect it has. Keyed
 * by (consumer, event id): two consumers of one event each apply it once.
 */
export const eventLogInbox: Inbox = {
  async tryClaim(em: EntityManager, consumer: string, envelope: EventEnvelope): Promise<boolean> {
    const rows = await em.execute<{ event_id: string }[]>(
      `INSERT INTO event_logs (id, consumer, event_id, event_type, source, payload, processed, processed_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?::jsonb, true, now(), now())
       ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
      [
        newId(),
        consumer,
        envelope.id,
        // What the publisher wrote is stored whatever it holds (the payload itself as base64).
        storableText(envelope.type),
        storableText(envelope.source),
        JSON.stringify({
          consumer,
          subject: storableText(envelope.subject),
          payloadBase64: Buffer.from(envelope.payload).toString('base64'),
        }),
      ],
    );
    return rows.length > 0;
  },
};
