import type * as grpc from '@grpc/grpc-js';
import type { Principal } from '../auth/principal.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';

/** What a handler knows about the call it answers. */
export interface CallContext {
  /** Full proto service name, e.g. `ecommerce.product.v1.ProductService`. */
  service: string;
  /** Proto method name, e.g. `GetProduct`. */
  method: string;
  /** The verified caller; undefined only on public RPCs called without a token. */
  principal: Principal | undefined;
  correlationId: string;
  deadline: Date | undefined;
  metadata: grpc.Metadata;
  /** The connection's remote address as grpc-js reports it (`ipv4:1.2.3.4:5678`, `ipv6:[::1]:5678`). */
  peer?: string;
  /** Logger already bound to service, method and correlation id. */
  logger: Logger;
}

export const CORRELATION_ID_HEADER = 'x-correlation-id';
const REQUEST_ID_HEADER = 'x-request-id';
// Ids from outside end up in every log line: accept only short, plain ones.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The first value of a text metadata key, if any. */
export function firstString(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The caller's correlation id (`x-correlation-id`, else `x-request-id`), or a new one: a random
 * UUID (nothing sorts by it, and randomUUID draws from a pooled buffer, cheaper per call).
 */
export function correlationIdFrom(metadata: grpc.Metadata): string {
  for (const key of [CORRELATION_ID_HEADER, REQUEST_ID_HEADER]) {
    const value = firstString(metadata, key);
    if (value !== undefined && ACCEPTABLE_ID.test(value)) return value;
  }
  return randomUUID();
}

export function authorizationFrom(metadata: grpc.Metadata): string | undefined {
  return firstString(metadata, 'authorization');
}

/** `/ecommerce.product.v1.ProductService/GetProduct` → service and method names. */
export function splitMethodPath(path: string): { service: string; method: string } {
  const match = /^\/([^/]+)\/([^/]+)$/.exec(path);
  if (!match) throw new Error(`not a gRPC method path: ${path}`);
  return { service: match[1]!, method: match[2]! };
}

/** The call's deadline as a Date, or undefined when the caller set none. */
export function deadlineOf(deadline: grpc.Deadline): Date | undefined {
  const time = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(time) ? new Date(time) : undefined;
}
