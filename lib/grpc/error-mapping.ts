import * as grpc from '@grpc/grpc-js';
import { AppError, INTERNAL_MESSAGE } from '../errors.js';
import { badRequestTrailer } from './status-details.js';

/** What goes back to the caller for a failed call. */
export interface MappedError {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
  /** True when the failure is a bug on our side (logged with its stack, never sent). */
  unexpected: boolean;
}

/**
 * AppError → its status and message, violations as `google.rpc.BadRequest` details. Anything
 * else → INTERNAL with a generic message: the real error stays in our logs.
 */
export function mapError(error: unknown): MappedError {
  if (error instanceof AppError) {
    const metadata =
      error.violations && error.violations.length > 0
        ? badRequestTrailer(error.code, error.message, error.violations)
        : new grpc.Metadata();
    return {
      code: error.code,
      details: error.message,
      metadata,
      unexpected: error.code === grpc.status.INTERNAL,
    };
  }
  return {
    code: grpc.status.INTERNAL,
    details: INTERNAL_MESSAGE,
    metadata: new grpc.Metadata(),
    unexpected: true,
  };
}
