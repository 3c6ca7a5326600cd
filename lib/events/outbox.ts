import { newId } from '../ids.js';
import type { EntityManager } from '../db/orm.js';
import { currentCorrelationId } from './correlation.js';
import { encodeEnvelope } from './envelope.js';
import type { EventType } from './event-type.js';
import { markOutboxWrite } from './outbox-commit.js';
import { toBuffer } from './bytes.js';

export interface PublishEventOptions {
  /** Overrides the ambient correlation id (the consumed event's, or the gRPC call's). */
  correlationId?: string;
}

/** One `infra.outbox` row: the columns an event is stored with. */
export interface OutboxRow {
  id: string;
  subject: string;
  type: string;
  envelope: Buffer;
}

/** The outbox row of an event, ready to insert: its id is also the NATS message id. */
export function outboxRowOf<T>(
  source: string,
  event: EventType<T>,
  message: T,
  options: PublishEventOptions = {},
): OutboxRow {
  const id = newId();
  const envelope = encodeEnvelope({
    id,
    type: event.typeName,
    occurredAt: new Date(),
    source,
    correlationId: options.correlationId ?? currentCorrelationId() ?? id,
    payload: toBuffer(event.encode(message)),
    subject: event.subject,
  });
  return { id, subject: event.subject, type: event.typeName, envelope: toBuffer(envelope) };
}

/**
 * How long a row written by `insertOutboxRowFrom` is reserved for the relay of the process that
 * wrote it (its lease, as if claimed): that relay is handed the row at the commit and publishes it
 * without claiming it; another relay takes it only once the lease ran out (the writer crashed: its
 * events are late by that much). Publishing takes milliseconds; should one take longer than the
 * lease, the row may go out twice, which JetStream's duplicate window and the inboxes absorb.
 */
export const RESERVED_ROW_LEASE_SECONDS = 10;

/**
 * The `INSERT` of an `outboxRowOf` row for a change written as one statement (a writable CTE): the
 * row goes in once for each row of `source` (a CTE's name, which returns one row when the change
 * was made and none otherwise), reserved for this process's relay. Its values are the named
 * parameters `outboxRowParams` gives; call `outboxWritten(em, row)` once the statement wrote it,
 * which hands the row to the relay (at the commit, inside a transaction).
 */
export function insertOutboxRowFrom(source: string): string {
  return `INSERT INTO infra.outbox (id, subject, type, envelope, claimed_until)
    SELECT :eventId, :eventSubject, :eventType, :envelope,
           now() + interval '${RESERVED_ROW_LEASE_SECONDS} seconds' FROM ${source}`;
}

/** The named parameters of `insertOutboxRowFrom` for `row`. */
export function outboxRowParams(row: OutboxRow) {
  return { eventId: row.id, eventSubject: row.subject, eventType: row.type, envelope: row.envelope };
}

/**
 * Writes an event to `infra.outbox` inside the caller's transaction: it becomes visible to the
 * relay only if that transaction commits, and it is gone if it rolls back. Returns the event id
 * (also the NATS message id, so re-publications are dropped by JetStream).
 *
 * `em` must be the transactional EntityManager (`em.transactional(async (em) => …)`); outside a
 * transaction the event could be written without the change it announces, so that is refused. (A
 * change made in one statement may insert its `outboxRowOf` row in that statement instead, and
 * then call `outboxWritten`.)
 */
export async function publishEvent<T>(
  em: EntityManager,
  source: string,
  event: EventType<T>,
  message: T,
  options: PublishEventOptions = {},
): Promise<string> {
  return writeOutboxRow(em, outboxRowOf(source, event, message, options));
}

/** `publishEvent` of a row already made by `outboxRowOf`. */
export async function writeOutboxRow(em: EntityManager, row: OutboxRow): Promise<string> {
  if (!em.isInTransaction()) {
    throw new Error(
      `the event ${row.subject} must be written inside the transaction of the change it announces`,
    );
  }
  await em.execute(
    'INSERT INTO infra.outbox (id, subject, type, envelope) VALUES (?, ?, ?, ?)',
    [row.id, row.subject, row.type, row.envelope],
    'run',
  );
  markOutboxWrite(em);
  return row.id;
}
