import type * as grpc from '@grpc/grpc-js';

/** The request type of a method definition (ts-proto: `requestDeserialize(Buffer): Request`). */
export type RequestOf<M> = M extends { requestDeserialize: (bytes: Buffer) => infer R } ? R : never;

/** The response type of a method definition (ts-proto: `responseSerialize(Response): Buffer`). */
export type ResponseOf<M> = M extends { responseSerialize: (value: infer R) => Buffer } ? R : never;

/** Whether a method definition is unary (ts-proto declares both stream flags `as const`). */
export type IsUnary<M> = M extends { requestStream: false; responseStream: false } ? true : false;

export type UnaryMethodName<D extends grpc.ServiceDefinition> = {
  [K in keyof D & string]: IsUnary<D[K]> extends true ? K : never;
}[keyof D & string];
