import * as grpc from '@grpc/grpc-js';
import type { GeneratedClientConstructor } from '../client.js';

/**
 * A tiny hand-built service for tests (JSON on the wire), shaped like ts-proto output: `as const`
 * stream flags and typed (de)serializers, so the typed server and client wrappers apply to it.
 */
function jsonMethod<Request, Response>(path: string) {
  return {
    path,
    requestStream: false as const,
    responseStream: false as const,
    requestSerialize: (value: Request): Buffer => Buffer.from(JSON.stringify(value)),
    requestDeserialize: (bytes: Buffer): Request => JSON.parse(bytes.toString()) as Request,
    responseSerialize: (value: Response): Buffer => Buffer.from(JSON.stringify(value)),
    responseDeserialize: (bytes: Buffer): Response => JSON.parse(bytes.toString()) as Response,
  };
}

export interface EchoRequest {
  text: string;
}

export interface EchoResponse {
  text: string;
}

export const ECHO_SERVICE_NAME = 'test.v1.EchoService';

export const EchoServiceService = {
  echo: jsonMethod<EchoRequest, EchoResponse>(`/${ECHO_SERVICE_NAME}/Echo`),
  lookup: jsonMethod<EchoRequest, EchoResponse>(`/${ECHO_SERVICE_NAME}/Lookup`),
  write: jsonMethod<EchoRequest, EchoResponse>(`/${ECHO_SERVICE_NAME}/Write`),
} as const;

export const EchoServiceClient = grpc.makeGenericClientConstructor(
  EchoServiceService,
  ECHO_SERVICE_NAME,
) as unknown as GeneratedClientConstructor<typeof EchoServiceService>;

/** Lookup is the one the tests treat as marked NO_SIDE_EFFECTS. */
export const echoIdempotency = { isRetryable: (path: string) => path === `/${ECHO_SERVICE_NAME}/Lookup` };
