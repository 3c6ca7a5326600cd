import type { MessageCodec } from '../events/event-type.js';

/** A stand-in for a ts-proto message codec in tests: JSON bytes, same encode/decode shape. */
export function jsonCodec<T>(): MessageCodec<T> {
  return {
    encode: (message) => ({ finish: () => new TextEncoder().encode(JSON.stringify(message)) }),
    decode: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as T,
  };
}
