import { ConfigError, readInt, type Env } from '../config/index.js';
import { deleteInBatches, type BatchDeleteOptions } from '../db/batch-delete.js';
import type { EntityManager, MikroORM } from '../db/orm.js';
import type { Logger } from '../log.js';
import { startPeriodicJob, type PeriodicJob } from '../runtime/periodic-job.js';

const DAY_MS = 24 * 3600_000;

/**
 * How long a JetStream stream keeps an event (`max_age` of `EVENTS_<SERVICE>`), and so how long a
 * redelivery of it can still arrive. The inbox retention is checked against it: a consumer must
 * still recognise any event the stream can hand it again.
 */
export const EVENT_STREAM_MAX_AGE_MS = 7 * DAY_MS;

/** How long each kind of event bookkeeping is kept, in days (read by `eventRetentionFrom`). */
export interface EventRetention {
  /** Published outbox rows. */
  outboxDays: number;
  /** Inbox claims (`infra.inbox`, and any service inbox such as user's event log). */
  inboxDays: number;
  /** Dead letters, and outbox rows the relay parked. */
  deadLetterDays: number;
}

/**
 * EVENTS_OUTBOX_RETENTION_DAYS (7), EVENTS_INBOX_RETENTION_DAYS (14, more than the stream's
 * 7-day max age, else refused), EVENTS_DEAD_LETTER_RETENTION_DAYS (30). Idempotency keys carry
 * their own `expires_at` (lib/idempotency).
 */
export function eventRetentionFrom(env: Env): EventRetention {
  const streamDays = EVENT_STREAM_MAX_AGE_MS / DAY_MS;
  const inboxDays = readInt(env, 'EVENTS_INBOX_RETENTION_DAYS', 2 * streamDays, { min: 1, max: 3650 });
  if (inboxDays <= streamDays) {
    throw new ConfigError(
      'EVENTS_INBOX_RETENTION_DAYS',
      `must be more than the event streams' maximum age (${streamDays} days), or a redelivery would be applied twice; got ${inboxDays}`,
    );
  }
  return {
    outboxDays: readInt(env, 'EVENTS_OUTBOX_RETENTION_DAYS', 7, { min: 1, max: 3650 }),
    inboxDays,
    deadLetterDays: readInt(env, 'EVENTS_DEAD_LETTER_RETENTION_DAYS', 30, { min: 1, max: 3650 }),
  };
}

export interface PurgedEventRecords {
  outbox: number;
  inbox: number;
  deadLetters: number;
  idempotencyKeys: number;
}

/**
 * Deletes what is past its retention in a service database's `infra` tables, in bounded batches
 * (safe on every replica at once). An idempotency key goes once past its `expires_at`; one without
 * (state a service keeps, such as product's open reservations) stays.
 */
export async function purgeExpiredEventRecords(
  em: EntityManager,
  retention: EventRetention,
  options: BatchDeleteOptions = {},
): Promise<PurgedEventRecords> {
  const olderThan = (column: string) => `${column} < now() - make_interval(days => ?)`;
  const outbox =
    (await deleteInBatches(
      em,
      'infra.outbox',
      'id',
      olderThan('published_at'),
      [retention.outboxDays],
      options,
    )) +
    (await deleteInBatches(
      em,
      'infra.outbox',
      'id',
      olderThan('parked_at'),
      [retention.deadLetterDays],
      options,
    ));
  return {
    outbox,
    inbox: await deleteInBatches(
      em,
      'infra.inbox',
      'consumer, event_id',
      olderThan('processed_at'),
      [retention.inboxDays],
      options,
    ),
    deadLetters: await deleteInBatches(
      em,
      'infra.dead_letters',
      'id',
      olderThan('created_at'),
      [retention.deadLetterDays],
      options,
    ),
    idempotencyKeys: await deleteInBatches(
      em,
      'infra.idempotency_keys',
      'scope, key',
      'expires_at < now()',
      [],
      options,
    ),
  };
}

/** Runs `purgeExpiredEventRecords` at start and then hourly. */
export function startEventRetention(options: {
  orm: MikroORM;
  retention: EventRetention;
  service: string;
  logger: Logger;
}): PeriodicJob {
  const { orm, retention, logger } = options;
  return startPeriodicJob({
    name: 'events retention',
    service: options.service,
    intervalMs: 3600_000,
    runAtStart: true,
    logger,
    async run(job) {
      const purged = await purgeExpiredEventRecords(orm.em.fork(), retention, {
        stopping: job.stopping,
      });
      if (Object.values(purged).some((count) => count > 0))
        logger.info(purged, 'purged expired event records');
    },
  });
}
