import * as grpc from '@grpc/grpc-js';
import { AppError, deadlineExceeded, statusName, unavailable } from '../errors.js';
import type { Logger } from '../log.js';
import { errorReasonFrom, violationsFrom } from './status-details.js';

/**
 * Statuses of a dependency that are about what the caller asked for, and reach them as they are
 * (message and ErrorInfo reason kept): the product they named does not exist, is out of stock,
 * their idempotency key was used for something else, their rate limit is spent, retry the race.
 */
const PASSED_THROUGH = new Set([
  grpc.status.NOT_FOUND,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.ALREADY_EXISTS,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.CANCELLED,
]);

/**
 * Statuses that say this service called wrongly: a token the dependency refuses (a wrong service
 * secret, a missing `serviceToken`, a relayed token where a service one is needed), a request it
 * finds malformed (our validation missed what theirs caught), an RPC it does not have (version
 * skew). None of it is about the caller's own token or input, so none of it may reach them as such.
 */
const OUR_FAULT = new Set([
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.UNIMPLEMENTED,
]);

/**
 * A dependency's failed answer as the handler that called it should see it, and pass on: what is
 * true for the caller (see the table in docs/architecture.md, "A call between services").
 */
export function translateDependencyError(
  target: string,
  method: string,
  error: grpc.ServiceError,
  logger: Logger,
): AppError {
  const code = error.code;
  if (code === grpc.status.UNAVAILABLE) {
    logger.debug({ target, method, details: error.details }, 'target unavailable');
    return unavailable(`${target} service unavailable`);
  }
  if (code === grpc.status.DEADLINE_EXCEEDED)
    return deadlineExceeded(`${target} service did not answer in time`);
  if (PASSED_THROUGH.has(code)) {
    return new AppError(code, error.details, undefined, errorReasonFrom(error.metadata));
  }
  if (OUR_FAULT.has(code)) {
    // A misconfiguration or a bug of ours: loud, with everything the dependency said.
    logger.error(
      {
        target,
        method,
        code: statusName(code),
        details: error.details,
        violations: violationsFrom(error.metadata),
      },
      `${target} refused this service's call: a bug or misconfiguration here, not the caller's fault`,
    );
    return new AppError(grpc.status.INTERNAL, `${target} service refused this service's request`);
  }
  logger.warn({ target, method, code: statusName(code), details: error.details }, 'target failed');
  return new AppError(grpc.status.INTERNAL, `${target} service failed`);
}
