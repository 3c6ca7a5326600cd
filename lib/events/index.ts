export { defineEvent, serviceOfSubject, type EventType, type MessageCodec } from './event-type.js';
export { decodeEnvelope, encodeEnvelope, type EventEnvelope } from './envelope.js';
export {
  insertOutboxRowFrom,
  outboxRowOf,
  outboxRowParams,
  publishEvent,
  writeOutboxRow,
  type OutboxRow,
  type PublishEventOptions,
} from './outbox.js';
export { outboxWritten } from './outbox-commit.js';
export { currentCorrelationId, withCorrelationId } from './correlation.js';
export {
  subjectMatches,
  type Delivery,
  type DeliveryHandler,
  type EventTransport,
  type SubscriptionSpec,
  type TransportSubscription,
} from './transport.js';
export {
  connectNatsTransport,
  NatsTransport,
  NatsUnavailableError,
  type NatsTransportOptions,
} from './nats-transport.js';
export { NatsNames, streamNameOf } from './nats-names.js';
export { InProcessTransport, TransportClosedError } from './in-process-transport.js';
export { OutboxRelay, type OutboxRelayOptions } from './relay.js';
export {
  on,
  PermanentEventError,
  startConsumer,
  type ConsumerOptions,
  type EventAtOnceFn,
  type EventHandlerBinding,
  type EventHandlerFn,
  type RunningConsumer,
} from './consumer.js';
export { inboxClaimParams, inboxClaimSql, infraInbox, type Inbox, type InboxClaim } from './inbox.js';
export { findDeadLetter, storableText, type DeadLetter } from './dead-letters.js';
export {
  EVENT_STREAM_MAX_AGE_MS,
  eventRetentionFrom,
  purgeExpiredEventRecords,
  startEventRetention,
  type EventRetention,
} from './retention.js';
