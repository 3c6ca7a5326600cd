/**
 * The shape of a ts-proto message object (`UserRegistered`, …): exactly what an event type needs to
 * turn a message into bytes and back.
 */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

/** One kind of event: where it is published and how its payload is (de)serialised. */
export interface EventType<T> {
  /** `<service>.<entity>.<event>`, e.g. `auth.user.registered`; the first token is the publishing service. */
  readonly subject: string;
  /** The fully qualified Protobuf type of the payload, e.g. `ecommerce.auth.v1.UserRegistered`. */
  readonly typeName: string;
  encode(message: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

const SUBJECT_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$/;

/**
 * Declares an event type, e.g.
 * `export const UserRegisteredEvent = defineEvent('auth.user.registered', 'ecommerce.auth.v1.UserRegistered', UserRegistered)`.
 */
export function defineEvent<T>(subject: string, typeName: string, codec: MessageCodec<T>): EventType<T> {
  if (!SUBJECT_PATTERN.test(subject)) {
    throw new Error(`event subject "${subject}" must be <service>.<entity>.<event> in lower case`);
  }
  if (!typeName) throw new Error(`event "${subject}" needs its Protobuf type name`);
  return Object.freeze({
    subject,
    typeName,
    encode: (message: T) => codec.encode(message).finish(),
    decode: (bytes: Uint8Array) => codec.decode(bytes),
  });
}

/** The publishing service of a subject (its first token), which is also the name of its stream. */
export function serviceOfSubject(subject: string): string {
  const dot = subject.indexOf('.');
  return dot < 0 ? subject : subject.slice(0, dot);
}
