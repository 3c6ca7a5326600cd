import { status } from '@grpc/grpc-js';

/** One field a caller got wrong, sent back as a `google.rpc.BadRequest.FieldViolation`. */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * Bounds of what an error carries back, so that no caller input makes it unbounded: the message
 * and violations travel in HTTP/2 trailers (`grpc-message`, `grpc-status-details-bin`), and a
 * trailer block beyond the peer's header limit (~64 KB) is never delivered, leaving the call
 * hanging until its deadline.
 */
export const MAX_ERROR_MESSAGE_LENGTH = 1000;
export const MAX_VIOLATIONS = 20;
const MAX_VIOLATION_TEXT_LENGTH = 200;
/** How much of a caller's value a message may quote (`product <id> not found`). */
export const MAX_QUOTED_INPUT_LENGTH = 100;

/** `text` cut to at most `max` UTF-16 units, "…" marking the cut (never inside a surrogate pair). */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
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
 * generic message (the real error is logged, never sent). Message and violations are clipped.
 */
export class AppError extends Error {
  readonly violations?: readonly FieldViolation[];
  readonly reason?: string;
  readonly metadata?: Readonly<Record<string, string>>;

  constructor(
    readonly code: status,
    message: string,
    violations?: readonly FieldViolation[],
    why?: ErrorReason,
  ) {
    super(clipText(message, MAX_ERROR_MESSAGE_LENGTH));
    this.name = 'AppError';
    this.violations = violations?.slice(0, MAX_VIOLATIONS).map(({ field, description }) => ({
      field: clipText(field, MAX_VIOLATION_TEXT_LENGTH),
      description: clipText(description, MAX_VIOLATION_TEXT_LENGTH),
    }));
    if (why) {
      if (!REASON_PATTERN.test(why.reason)) throw new Error(`error reason ${why.reason} is not UPPER_SNAKE`);
      this.reason = why.reason;
      const entries = Object.entries(why.metadata ?? {}).slice(0, MAX_VIOLATIONS);
      if (entries.length > 0)
        this.metadata = Object.fromEntries(
          entries.map(([k, v]) => [k, clipText(v, MAX_VIOLATION_TEXT_LENGTH)]),
        );
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
  if (id === undefined) return new AppError(status.NOT_FOUND, `${what} not found`);
  return new AppError(status.NOT_FOUND, `${what} ${clipText(id, MAX_QUOTED_INPUT_LENGTH)} not found`);
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
    `${what} already exists: ${clipText(detail, MAX_QUOTED_INPUT_LENGTH)}`,
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

export function unauthenticated(message: string, reason?: string): AppError {
  return new AppError(status.UNAUTHENTICATED, message, undefined, reasonOf(reason));
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

export function unavailable(message: string, reason?: string, metadata?: Record<string, string>): AppError {
  return new AppError(status.UNAVAILABLE, message, undefined, reasonOf(reason, metadata));
}

export function deadlineExceeded(message: string): AppError {
  return new AppError(status.DEADLINE_EXCEEDED, message);
}
