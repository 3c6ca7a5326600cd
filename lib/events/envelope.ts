import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

/**
 * `ecommerce.common.v1.EventEnvelope`: what travels on the wire and sits in the outbox. The payload
 * is the event's own Protobuf message; the rest says what it is, where and when it came from, and
 * which request chain it belongs to.
 */
export interface EventEnvelope {
  id: string;
  type: string;
  occurredAt: Date | undefined;
  source: string;
  correlationId: string;
  payload: Uint8Array;
  subject: string;
}

/*
 * Wire format of proto/ecommerce/common/v1/event.proto, field for field:
 *   1 id, 2 type, 3 occurred_at (google.protobuf.Timestamp), 4 source, 5 correlation_id, 6 payload,
 *   7 subject.
 * Written against @bufbuild/protobuf's reader and writer exactly as ts-proto emits it, so the bytes
 * are the generated `EventEnvelope`'s.
 */
export function encodeEnvelope(envelope: EventEnvelope): Uint8Array {
  const writer = new BinaryWriter();
  if (envelope.id !== '') writer.uint32(10).string(envelope.id);
  if (envelope.type !== '') writer.uint32(18).string(envelope.type);
  if (envelope.occurredAt !== undefined) {
    const millis = envelope.occurredAt.getTime();
    const seconds = Math.floor(millis / 1000);
    const nanos = (millis - seconds * 1000) * 1_000_000;
    writer.uint32(26).fork();
    if (seconds !== 0) writer.uint32(8).int64(seconds);
    if (nanos !== 0) writer.uint32(16).int32(nanos);
    writer.join();
  }
  if (envelope.source !== '') writer.uint32(34).string(envelope.source);
  if (envelope.correlationId !== '') writer.uint32(42).string(envelope.correlationId);
  if (envelope.payload.length !== 0) writer.uint32(50).bytes(envelope.payload);
  if (envelope.subject !== '') writer.uint32(58).string(envelope.subject);
  return writer.finish();
}

export function decodeEnvelope(bytes: Uint8Array): EventEnvelope {
  const reader = new BinaryReader(bytes);
  const envelope: EventEnvelope = {
    id: '',
    type: '',
    occurredAt: undefined,
    source: '',
    correlationId: '',
    payload: new Uint8Array(0),
    subject: '',
  };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    switch (tag) {
      case 10:
        envelope.id = reader.string();
        break;
      case 18:
        envelope.type = reader.string();
        break;
      case 26:
        envelope.occurredAt = decodeTimestamp(reader.bytes());
        break;
      case 34:
        envelope.source = reader.string();
        break;
      case 42:
        envelope.correlationId = reader.string();
        break;
      case 50:
        envelope.payload = reader.bytes();
        break;
      case 58:
        envelope.subject = reader.string();
        break;
      default:
        if ((tag & 7) === 4 || tag === 0) throw new Error('malformed event envelope');
        reader.skip(tag & 7);
    }
  }
  return envelope;
}

function decodeTimestamp(bytes: Uint8Array): Date {
  const reader = new BinaryReader(bytes);
  let seconds = 0;
  let nanos = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 8) seconds = Number(reader.int64());
    else if (tag === 16) nanos = reader.int32();
    else reader.skip(tag & 7);
  }
  return new Date(seconds * 1000 + Math.floor(nanos / 1_000_000));
}
