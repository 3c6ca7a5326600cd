import * as grpc from '@grpc/grpc-js';
import { isConcurrencyConflict } from '../db/concurrency-conflict.js';
import { CommonReason } from '../error-reasons.js';
import { AppError, INTERNAL_MESSAGE } from '../errors.js';
import { statusDetailsTrailer } from './status-details.js';

/** What goes back to the caller for a failed call. */
export interface MappedError {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
  /** True when the failure is a bug on our side (logged with its stack, never sent). */
  unexpected: boolean;
}

export const CONCURRENT_UPDATE_MESSAGE = 'the change collided with a concurrent one and was not made; retry';

/**
 * AppError → its status and message, violations as `google.rpc.BadRequest` and the reason as
 * `google.rpc.ErrorInfo`. A transaction that lost a race (deadlock, serialization failure,
 * optimistic lock) → ABORTED, which a client may retry. Anything else → INTERNAL with a generic
 * message: the real error stays in our logs.
 */
export function mapError(error: unknown): MappedError {
  if (error instanceof AppError) {
    const why = error.reason ? { reason: error.reason, metadata: error.metadata } : undefined;
    return {
      code: error.code,
      details: error.message,
      metadata: statusDetailsTrailer(error.code, error.message, { violations: error.violations, why }),
      unexpected: error.code === grpc.status.INTERNAL,
    };
  }
  if (isConcurrencyConflict(error)) {
    const why = { reason: CommonReason.CONCURRENT_UPDATE };
    return {
      code: grpc.status.ABORTED,
      details: CONCURRENT_UPDATE_MESSAGE,
      metadata: statusDetailsTrailer(grpc.status.ABORTED, CONCURRENT_UPDATE_MESSAGE, { why }),
      unexpected: false,
    };
  }
  return {
    code: grpc.status.INTERNAL,
    details: INTERNAL_MESSAGE,
    metadata: new grpc.Metadata(),
    unexpected: true,
  };
}
