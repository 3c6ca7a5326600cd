import { status } from '@grpc/grpc-js';

/** One field a caller got wrong, sent back as a `google.rpc.BadRequest.FieldViolation`. */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * Why a call failed, for programs: an UPPER_SNAKE reason from `lib/error-reasons.ts` and facts a
 * client may act on (the short line's ids), sent as a `google.rpc.ErrorInfo`.
 */
export interface ErrorReason {
  reason: string;
  metadata?: Readonly<Record<string, string>>;
}

// google.rpc.ErrorInfo: at most 63 characters, [A-Z][A-Z0-9_]+[A-Z0-9].
const REASON_PATTERN = /^[A-Z][A-Z0-9_]{0,61}[A-Z0-9]$/;

/**
 * A failure the caller is meant to see: a precise gRPC status and a message written for them.
 * Anything thrown that is not an AppError is a bug and reaches the caller as INTERNAL with a
 * generic message (the real error is logged, never sent).
 */
export class AppError extends Error {
  readonly reason?: string;
  readonly metadata?: Readonly<Record<string, string>>;

  constructor(
    readonly code: status,
    message: string,
    readonly violations?: readonly FieldViolation[],
    why?: ErrorReason,
  ) {
    super(message);
    this.name = 'AppError';
    if (why) {
      if (!REASON_PATTERN.test(why.reason)) throw new Error(`error reason ${why.reason} is not UPPER_SNAKE`);
      this.reason = why.reason;
      if (why.metadata && Object.keys(why.metadata).length > 0) this.metadata = { ...why.metadata };
    }
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

function reasonOf(reason: string | undefined, metadata?: Record<string, string>): ErrorReason | undefined {
  return reason === undefined ? undefined : { reason, metadata };
}

export function alreadyExists(
  what: string,
  detail: string,
  reason?: string,
  metadata?: Record<string, string>,
): AppError {
  return new AppError(
    status.ALREADY_EXISTS,
    `${what} already exists: ${detail}`,
    undefined,
    reasonOf(reason, metadata),
  );
}

export function failedPrecondition(
  message: string,
  reason?: string,
  metadata?: Record<string, string>,
): AppError {
  return new AppError(status.FAILED_PRECONDITION, message, undefined, reasonOf(reason, metadata));
}

export function permissionDenied(message: string): AppError {
  return new AppError(status.PERMISSION_DENIED, message);
}

export function unauthenticated(message: string): AppError {
  return new AppError(status.UNAUTHENTICATED, message);
}

export function resourceExhausted(
  message: string,
  reason?: string,
  metadata?: Record<string, string>,
): AppError {
  return new AppError(status.RESOURCE_EXHAUSTED, message, undefined, reasonOf(reason, metadata));
}

export function aborted(message: string, reason?: string): AppError {
  return new AppError(status.ABORTED, message, undefined, reasonOf(reason));
}

export function unavailable(message: string): AppError {
  return new AppError(status.UNAVAILABLE, message);
}

export function deadlineExceeded(message: string): AppError {
  return new AppError(status.DEADLINE_EXCEEDED, message);
}
