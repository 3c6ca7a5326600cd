import type * as grpc from '@grpc/grpc-js';

/**
 * A response serialized ahead of time: the server sends its bytes as they are. For an answer served
 * many times unchanged (a cached product), encoding it once saves the encoding on every call. `T`
 * is the message type the bytes hold, so a handler can only return the bytes of its own response.
 */
export class EncodedResponse<T> {
  declare private readonly message?: T;

  constructor(readonly bytes: Buffer) {}
}

/** `message` serialized as `method` serializes its responses. */
export function encodeResponse<Response>(
  method: { responseSerialize: (value: Response) => Buffer },
  message: Response,
): EncodedResponse<Response> {
  return new EncodedResponse(method.responseSerialize(message));
}

/** The service definition, its response serializers sending an EncodedResponse's bytes unchanged. */
export function acceptingEncodedResponses(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      {
        ...method,
        responseSerialize: (value: unknown): Buffer =>
          value instanceof EncodedResponse ? value.bytes : method.responseSerialize(value),
      },
    ]),
  );
}
