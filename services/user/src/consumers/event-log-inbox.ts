import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope, Inbox } from '../../../../lib/events/index.js';
import { newId } from '../../../../lib/ids.js';

/**
 * The user service keeps its inbox in its own `event_logs` table (docs/database/user_db.md): every consumed
 * event, with its payload, claimed in the same transaction as the effect it has.
 */
export const eventLogInbox: Inbox = {
  async tryClaim(em: EntityManager, consumer: string, envelope: EventEnvelope): Promise<boolean> {
    const rows = await em.execute<{ event_id: string }[]>(
      `INSERT INTO event_logs (id, event_id, event_type, source, payload, processed, processed_at, created_at)
       VALUES (?, ?, ?, ?, ?::jsonb, true, now(), now())
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [
        newId(),
        envelope.id,
        envelope.type,
        envelope.source,
        JSON.stringify({
          consumer,
          subject: envelope.subject,
          payloadBase64: Buffer.from(envelope.payload).toString('base64'),
        }),
      ],
    );
    return rows.length > 0;
  },
};
