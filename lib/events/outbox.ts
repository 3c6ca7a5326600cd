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

/**
 * Writes an event to `infra.outbox` inside the caller's transaction: it becomes visible to the
 * relay only if that transaction commits, and it is gone if it rolls back. Returns the event id
 * (also the NATS message id, so re-publications are dropped by JetStream).
 *
 * `em` must be the transactional EntityManager (`em.transactional(async (em) => …)`); outside a
 * transaction the event could be written without the change it announces, so that is refused.
 */
export async function publishEvent<T>(
  em: EntityManager,
  source: string,
  event: EventType<T>,
  message: T,
  options: PublishEventOptions = {},
): Promise<string> {
  if (!em.isInTransaction()) {
    throw new Error(
      `publishEvent(${event.subject}) must run inside the transaction of the change it announces`,
    );
  }
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
  await em.execute(
    'INSERT INTO infra.outbox (id, subject, type, envelope) VALUES (?, ?, ?, ?)',
    [id, event.subject, event.typeName, toBuffer(envelope)],
    'run',
  );
  markOutboxWrite(em);
  return id;
}
