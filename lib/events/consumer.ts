import type { EntityManager, MikroORM } from '../db/orm.js';
import { isUuid, newId } from '../ids.js';
import { rootLogger, type Logger } from '../log.js';
import { withCorrelationId } from './correlation.js';
import { findDeadLetter, markDeadLetterReplayed, writeDeadLetter } from './dead-letters.js';
import { decodeEnvelope, type EventEnvelope } from './envelope.js';
import type { EventType } from './event-type.js';
import { infraInbox, type Inbox, type InboxClaim } from './inbox.js';
import { eventsConsumed, eventsDeadLettered } from './metrics.js';
import type { Delivery, EventTransport, TransportSubscription } from './transport.js';

/** What an event handler gets: the consumer's transactional EntityManager, the message, its envelope. */
export type EventHandlerFn<T> = (em: EntityManager, message: T, envelope: EventEnvelope) => Promise<void>;

/**
 * A handler's usual case in one statement, run outside a transaction: the event claimed in the
 * inbox (`inboxClaimSql`, a CTE of the statement) and applied, together or not at all. True when
 * it wrote both; false when it wrote nothing (a repeat, or a case it leaves to the handler), and the
 * consumer then claims and handles the event in one transaction, as for a handler without it.
 */
export type EventAtOnceFn<T> = (
  em: EntityManager,
  message: T,
  envelope: EventEnvelope,
  claim: InboxClaim,
) => Promise<boolean>;

/** A handler bound to its event type (built with `on`). */
export interface EventHandlerBinding {
  readonly subject: string;
  readonly typeName: string;
  decode(payload: Uint8Array): unknown;
  handle(em: EntityManager, message: unknown, envelope: EventEnvelope): Promise<void>;
  applyAtOnce?(
    em: EntityManager,
    message: unknown,
    envelope: EventEnvelope,
    claim: InboxClaim,
  ): Promise<boolean>;
}

/**
 * Binds a handler to its event type. `atOnce`: the handler's usual case in one statement with the
 * inbox claim (used with the default inbox only: it writes `infra.inbox` itself).
 */
export function on<T>(
  event: EventType<T>,
  handle: EventHandlerFn<T>,
  options: { atOnce?: EventAtOnceFn<T> } = {},
): EventHandlerBinding {
  const { atOnce } = options;
  return {
    subject: event.subject,
    typeName: event.typeName,
    decode: (payload) => event.decode(payload),
    handle: (em, message, envelope) => handle(em, message as T, envelope),
    ...(atOnce
      ? { applyAtOnce: (em, message, envelope, claim) => atOnce(em, message as T, envelope, claim) }
      : {}),
  };
}

export interface ConsumerOptions {
  orm: MikroORM;
  transport: EventTransport;
  /** Durable name, one per consuming service and purpose, e.g. `user-profiles`. */
  consumer: string;
  /** The publishing service whose events these handlers take (`auth`). */
  source: string;
  handlers: EventHandlerBinding[];
  /** Default `infra.inbox`. */
  inbox?: Inbox;
  /** Deliveries before an event is parked in `infra.dead_letters`. Default 5. */
  maxDeliver?: number;
  /** Wait before each redelivery (the last value repeats). Default 1 s, 5 s, 15 s, 30 s. */
  backoffMs?: number[];
  logger?: Logger;
}

/** A started consumer; a service lists it among its background tasks (`name`, `stop`). */
export interface RunningConsumer {
  /** `<durable> consumer`. */
  readonly name: string;
  stop(): Promise<void>;
  /**
   * Applies a parked event again, now, through this consumer's handler and inbox (so only this
   * consumer sees it, and never twice). Throws the handler's error if it fails again.
   */
  replayDeadLetter(id: string): Promise<'applied' | 'duplicate'>;
}

/**
 * A failure retrying cannot fix (the event contradicts this service's data for good, say). A
 * handler throws it to have the event parked in `infra.dead_letters` at once, without retries;
 * any other error is retried with backoff first.
 */
export class PermanentEventError extends Error {
  override name = 'PermanentEventError';
}

const DEFAULT_BACKOFF_MS = [1_000, 5_000, 15_000, 30_000];

/**
 * Subscribes a service's handlers for one publisher's events. Per delivery, in one transaction of
 * the consumer's database: claim the event in the inbox (a repeat is skipped) and run the handler;
 * or, for a handler with `atOnce`, first that one statement, and the transaction only if it wrote
 * nothing.
 * A throwing handler is retried with backoff; on the `maxDeliver`-th failure the event is parked in
 * `infra.dead_letters` with the error, logged, counted, and acknowledged.
 */
export async function startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const { orm, transport, consumer, source } = options;
  const inbox = options.inbox ?? infraInbox;
  const maxDeliver = options.maxDeliver ?? 5;
  const log = (options.logger ?? rootLogger).child({ component: 'events-consumer', consumer });
  const bySubject = new Map(options.handlers.map((binding) => [binding.subject, binding]));
  if (bySubject.size !== options.handlers.length)
    throw new Error(`${consumer}: two handlers for one subject`);
  if (maxDeliver < 1) throw new Error(`${consumer}: maxDeliver must be at least 1`);

  async function apply(
    binding: EventHandlerBinding,
    envelope: EventEnvelope,
    afterEffect?: (em: EntityManager) => Promise<void>,
  ): Promise<'applied' | 'duplicate'> {
    if (envelope.type !== binding.typeName) {
      throw new PermanentEventError(
        `${envelope.subject} carries ${envelope.type}, expected ${binding.typeName}`,
      );
    }
    let message: unknown;
    try {
      message = binding.decode(envelope.payload);
    } catch (error) {
      throw new PermanentEventError(`cannot decode ${binding.typeName}`, { cause: error });
    }
    return withCorrelationId(envelope.correlationId || envelope.id, async () => {
      if (binding.applyAtOnce && !afterEffect && inbox === infraInbox) {
        const claim = { consumer, eventId: envelope.id, subject: envelope.subject };
        if (await binding.applyAtOnce(orm.em.fork(), message, envelope, claim)) return 'applied';
      }
      return orm.em.fork().transactional(async (em) => {
        const first = await inbox.tryClaim(em, consumer, envelope);
        if (first) await binding.handle(em, message, envelope);
        await afterEffect?.(em);
        return first ? 'applied' : 'duplicate';
      });
    });
  }

  async function park(delivery: Delivery, eventId: string, error: unknown): Promise<void> {
    const deadLetterId = await writeDeadLetter(orm.em.fork(), {
      consumer,
      eventId,
      subject: delivery.subject,
      envelope: delivery.envelope,
      error,
      attempts: delivery.deliveryCount,
    });
    eventsDeadLettered.inc({ consumer, subject: delivery.subject });
    eventsConsumed.inc({ consumer, outcome: 'dead_lettered' });
    log.error(
      { err: error, subject: delivery.subject, eventId, attempts: delivery.deliveryCount, deadLetterId },
      'event parked in infra.dead_letters',
    );
  }

  async function onDelivery(delivery: Delivery): Promise<void> {
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(delivery.envelope);
      if (!isUuid(envelope.id)) throw new Error(`event id "${envelope.id}" is not a UUID`);
    } catch (error) {
      const eventId = delivery.eventId && isUuid(delivery.eventId) ? delivery.eventId : newId();
      await park(delivery, eventId, new PermanentEventError('undecodable event envelope', { cause: error }));
      return;
    }
    const binding = bySubject.get(envelope.subject || delivery.subject);
    if (!binding) {
      eventsConsumed.inc({ consumer, outcome: 'ignored' });
      log.debug(
        { subject: delivery.subject, eventId: envelope.id },
        'no handler for this subject; acknowledged',
      );
      return;
    }
    try {
      const outcome = await apply(binding, envelope);
      eventsConsumed.inc({ consumer, outcome });
      if (outcome === 'duplicate')
        log.debug({ subject: envelope.subject, eventId: envelope.id }, 'already applied');
    } catch (error) {
      if (error instanceof PermanentEventError || delivery.deliveryCount >= maxDeliver) {
        await park(delivery, envelope.id, error);
        return;
      }
      eventsConsumed.inc({ consumer, outcome: 'retried' });
      log.warn(
        {
          err: error,
          subject: envelope.subject,
          eventId: envelope.id,
          deliveryCount: delivery.deliveryCount,
        },
        'event handler failed; will retry',
      );
      throw error;
    }
  }

  const subscription: TransportSubscription = await transport.subscribe(
    {
      stream: source,
      durable: consumer,
      subjects: [...bySubject.keys()],
      // One delivery more than ours: if parking itself fails (database down), the event comes back
      // once more to be parked, instead of the transport giving up on it first.
      maxDeliver: maxDeliver + 1,
      backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
    },
    onDelivery,
  );
  log.info({ source, subjects: [...bySubject.keys()] }, 'consumer started');

  return {
    name: `${consumer} consumer`,
    stop: () => subscription.stop(),
    async replayDeadLetter(id) {
      const parked = await findDeadLetter(orm.em.fork(), id);
      if (!parked || parked.consumer !== consumer)
        throw new Error(`no dead letter ${id} for consumer ${consumer}`);
      const envelope = decodeEnvelope(parked.envelope);
      const binding = bySubject.get(envelope.subject);
      if (!binding) throw new Error(`${consumer} has no handler for ${envelope.subject}`);
      try {
        const outcome = await apply(binding, envelope, (em) => markDeadLetterReplayed(em, id));
        log.info({ deadLetterId: id, eventId: envelope.id, outcome }, 'dead letter replayed');
        return outcome;
      } catch (error) {
        await writeDeadLetter(orm.em.fork(), { ...parked, error, attempts: 1 });
        throw error;
      }
    },
  };
}
