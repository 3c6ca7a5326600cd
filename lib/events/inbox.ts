import type { EntityManager } from '../db/orm.js';
import { executePrepared } from '../db/prepared-statement.js';
import type { EventEnvelope } from './envelope.js';

/**
 * Where a consumer remembers the events it has applied. `tryClaim` runs in the consumer's
 * transaction, before the handler: true means "first time, go ahead", false means "already
 * applied, skip". Because the claim commits or rolls back with the handler's effect, an event's
 * effect happens once however often it is delivered.
 */
export interface Inbox {
  tryClaim(em: EntityManager, consumer: string, envelope: EventEnvelope): Promise<boolean>;
}

/**
 * The default inbox, `infra.inbox` keyed by (consumer, event id). Two concurrent deliveries of one
 * event serialise on the primary key: the second waits for the first to commit, then finds it.
 */
export const infraInbox: Inbox = {
  async tryClaim(em, consumer, envelope) {
    // Prepared: it runs once per event consumed.
    const rows = await executePrepared<{ event_id: string }>(
      em,
      'inbox:claim',
      `INSERT INTO infra.inbox (consumer, event_id, subject) VALUES (?, ?, ?)
       ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
      [consumer, envelope.id, envelope.subject],
    );
    return rows.length > 0;
  },
};

/** The inbox row of one delivery, for a handler that writes it in its own statement (`inboxClaimSql`). */
export interface InboxClaim {
  consumer: string;
  eventId: string;
  subject: string;
}

/**
 * SQL of a data-modifying CTE that claims a delivery in `infra.inbox`, as `infraInbox.tryClaim`
 * does: it returns a row only when the event is new to the consumer. `onlyIf`, an SQL condition,
 * leaves the claim unwritten unless it holds (the case the statement applies). Its named
 * parameters come from `inboxClaimParams`.
 */
export function inboxClaimSql(onlyIf = 'true'): string {
  return `INSERT INTO infra.inbox (consumer, event_id, subject)
    SELECT :inboxConsumer::text, :inboxEventId::uuid, :inboxSubject::text WHERE ${onlyIf}
    ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`;
}

/** The named parameters of `inboxClaimSql`. */
export function inboxClaimParams(claim: InboxClaim) {
  return { inboxConsumer: claim.consumer, inboxEventId: claim.eventId, inboxSubject: claim.subject };
}
