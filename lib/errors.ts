import { status } from '@grpc/grpc-js';

/** One field a caller got wrong, sent back as a `google.rpc.BadRequest.FieldViolation`. */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * A failure the caller is meant to see: a precise gRPC status and a message written for them.
 * Anything thrown that is not an AppError is a bug and reaches the caller as INTERNAL with a
 * generic message (the real error is logged, never sent).
 */
export class AppError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly violations?: readonly FieldViolation[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The status name (`NOT_FOUND`) for logs and metric labels. */
export function statusName(code: status): string {
  return status[code] ?? `CODE_${code}`;
}

export const INTERNAL_MESSAGE = 'internal error';

export function invalidArgument(field: string, description: string): AppError {
  return new AppError(status.INVALID_ARGUMENT, `${field}: ${description}`, [{ field, description }]);
}

export function invalidArguments(violations: readonly FieldViolation[]): AppError {
  if (violations.length === 0) throw new Error('invalidArguments needs at least one violation');
  const message = violations.map((v) => `${v.field}: ${v.description}`).join('; ');
  return new AppError(status.INVALID_ARGUMENT, message, [...violations]);
}

export function notFound(what: string, id?: string): AppError {
  return new AppError(status.NOT_FOUND, id === undefined ? `${what} not found` : `${what} ${id} not found`);
}

export function alreadyExists(what: string, detail: string): AppError {
  return new AppError(status.ALREADY_EXISTS, `${what} already exists: ${detail}`);
}

export function failedPrecondition(message: string): AppError {
  return new AppError(status.FAILED_PRECONDITION, message);
}

export function permissionDenied(message: string): AppError {
  return new AppError(status.PERMISSION_DENIED, message);
}

export function unauthenticated(message: string): AppError {
  return new AppError(status.UNAUTHENTICATED, message);
}

export function resourceExhausted(message: string): AppError {
  return new AppError(status.RESOURCE_EXHAUSTED, message);
}

export function unavailable(message: string): AppError {
  return new AppError(status.UNAVAILABLE, message);
}

export function deadlineExceeded(message: string): AppError {
  return new AppError(status.DEADLINE_EXCEEDED, message);
}
