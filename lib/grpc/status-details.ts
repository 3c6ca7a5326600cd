import * as grpc from '@grpc/grpc-js';
import { BadRequest, ErrorInfo } from '../../gen/google/rpc/error_details.js';
import { Status } from '../../gen/google/rpc/status.js';
import { ERROR_DOMAIN } from '../error-reasons.js';
import type { ErrorReason, FieldViolation } from '../errors.js';

/** The trailer gRPC clients read rich error details from (a serialized `google.rpc.Status`). */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';
const ERROR_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.ErrorInfo';

/** What a failed call says beyond its status and message. */
export interface StatusDetails {
  violations?: readonly FieldViolation[];
  why?: ErrorReason;
}

/**
 * Trailers carrying the details inside a `google.rpc.Status`: the violations as a
 * `google.rpc.BadRequest`, the reason as a `google.rpc.ErrorInfo` of the platform's domain.
 * Empty metadata when there is nothing to carry.
 */
export function statusDetailsTrailer(
  code: grpc.status,
  message: string,
  details: StatusDetails,
): grpc.Metadata {
  const trailer = new grpc.Metadata();
  const any: { typeUrl: string; value: Buffer }[] = [];
  if (details.violations && details.violations.length > 0) {
    const badRequest = BadRequest.fromPartial({
      fieldViolations: details.violations.map(({ field, description }) => ({ field, description })),
    });
    any.push({ typeUrl: BAD_REQUEST_TYPE_URL, value: Buffer.from(BadRequest.encode(badRequest).finish()) });
  }
  if (details.why) {
    const info = ErrorInfo.fromPartial({
      reason: details.why.reason,
      domain: ERROR_DOMAIN,
      metadata: { ...details.why.metadata },
    });
    any.push({ typeUrl: ERROR_INFO_TYPE_URL, value: Buffer.from(ErrorInfo.encode(info).finish()) });
  }
  if (any.length === 0) return trailer;
  const status = Status.fromPartial({ code, message, details: any });
  trailer.set(STATUS_DETAILS_KEY, Buffer.from(Status.encode(status).finish()));
  return trailer;
}

function decodedStatus(trailer: grpc.Metadata | undefined): Status | undefined {
  const raw = trailer?.get(STATUS_DETAILS_KEY)[0];
  if (!Buffer.isBuffer(raw)) return undefined;
  try {
    return Status.decode(raw);
  } catch {
    return undefined;
  }
}

/** The field violations a failed call carried, if its trailers hold a `google.rpc.BadRequest`. */
export function violationsFrom(trailer: grpc.Metadata | undefined): FieldViolation[] | undefined {
  const detail = decodedStatus(trailer)?.details.find((any) => any.typeUrl === BAD_REQUEST_TYPE_URL);
  if (!detail) return undefined;
  try {
    return BadRequest.decode(detail.value).fieldViolations.map(({ field, description }) => ({
      field,
      description,
    }));
  } catch {
    return undefined;
  }
}

/** The reason a failed call carried, if its trailers hold a `google.rpc.ErrorInfo` of our domain. */
export function errorReasonFrom(trailer: grpc.Metadata | undefined): ErrorReason | undefined {
  const detail = decodedStatus(trailer)?.details.find((any) => any.typeUrl === ERROR_INFO_TYPE_URL);
  if (!detail) return undefined;
  try {
    const info = ErrorInfo.decode(detail.value);
    if (info.domain !== ERROR_DOMAIN || info.reason === '') return undefined;
    return Object.keys(info.metadata).length > 0
      ? { reason: info.reason, metadata: info.metadata }
      : { reason: info.reason };
  } catch {
    return undefined;
  }
}
