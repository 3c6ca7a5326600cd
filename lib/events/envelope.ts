import { EventEnvelope } from '../../gen/ecommerce/common/v1/event.js';

/**
 * `ecommerce.common.v1.EventEnvelope` (proto/ecommerce/common/v1/event.proto): what travels on the
 * wire and sits in the outbox. The payload is the event's own Protobuf message; the rest says what
 * it is, where and when it came from, and which request chain it belongs to.
 */
export { EventEnvelope };

export function encodeEnvelope(envelope: EventEnvelope): Uint8Array {
  return EventEnvelope.encode(envelope).finish();
}

export function decodeEnvelope(bytes: Uint8Array): EventEnvelope {
  return EventEnvelope.decode(bytes);
}
