import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../metrics.js';

/*
 * Event metrics, on the process's registry (served on /metrics). Get-or-create, so loading this
 * module twice (tests, tooling) never registers a name twice.
 */
function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  return (
    (metricsRegistry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [metricsRegistry] })
  );
}

function gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
  return (
    (metricsRegistry.getSingleMetric(name) as Gauge<L> | undefined) ??
    new Gauge({ name, help, labelNames, registers: [metricsRegistry] })
  );
}

export const outboxBacklog = gauge('events_outbox_backlog', 'Events in the outbox not yet published', [
  'source',
]);
export const outboxOldestAge = gauge(
  'events_outbox_oldest_unpublished_age_seconds',
  'Age of the oldest unpublished outbox event (0 when none)',
  ['source'],
);
export const outboxPublished = counter('events_outbox_published_total', 'Events the relay published', [
  'source',
]);
export const outboxPublishFailures = counter(
  'events_outbox_publish_failures_total',
  'Failed attempts to publish an outbox event (retried)',
  ['source'],
);
export const outboxParked = counter(
  'events_outbox_parked_total',
  'Outbox events the relay stopped trying to publish (parked_at) because they kept failing while later events went out',
  ['source'],
);
export const eventsConsumed = counter(
  'events_consumed_total',
  'Deliveries handled by consumers, by outcome (applied, duplicate, ignored, retried, dead_lettered)',
  ['consumer', 'outcome'],
);
export const eventsDeadLettered = counter(
  'events_dead_lettered_total',
  'Events a consumer parked in infra.dead_letters after its retries',
  ['consumer', 'subject'],
);
export const deliveriesExhausted = counter(
  'events_deliveries_exhausted_total',
  'Events the transport stopped redelivering because the consumer could not even dead-letter them',
  ['durable'],
);
