import * as grpc from '@grpc/grpc-js';
import { BadRequest } from '../../gen/google/rpc/error_details.js';
import { Status } from '../../gen/google/rpc/status.js';
import type { FieldViolation } from '../errors.js';

/** The trailer gRPC clients read rich error details from (a serialized `google.rpc.Status`). */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

/** Trailers carrying the violations as a `google.rpc.BadRequest` inside a `google.rpc.Status`. */
export function badRequestTrailer(
  code: grpc.status,
  message: string,
  violations: readonly FieldViolation[],
): grpc.Metadata {
  const badRequest = BadRequest.fromPartial({
    fieldViolations: violations.map(({ field, description }) => ({ field, description })),
  });
  const status = Status.fromPartial({
    code,
    message,
    details: [{ typeUrl: BAD_REQUEST_TYPE_URL, value: Buffer.from(BadRequest.encode(badRequest).finish()) }],
  });
  const trailer = new grpc.Metadata();
  trailer.set(STATUS_DETAILS_KEY, Buffer.from(Status.encode(status).finish()));
  return trailer;
}

/** The field violations a failed call carried, if its trailers hold a `google.rpc.BadRequest`. */
export function violationsFrom(trailer: grpc.Metadata | undefined): FieldViolation[] | undefined {
  const raw = trailer?.get(STATUS_DETAILS_KEY)[0];
  if (!Buffer.isBuffer(raw)) return undefined;
  try {
    const detail = Status.decode(raw).details.find((any) => any.typeUrl === BAD_REQUEST_TYPE_URL);
    if (!detail) return undefined;
    const violations = BadRequest.decode(detail.value).fieldViolations;
    return violations.map(({ field, description }) => ({ field, description }));
  } catch {
    return undefined;
  }
}
