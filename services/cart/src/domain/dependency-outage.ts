import { status } from '@grpc/grpc-js';
import { isAppError } from '../../../../lib/errors.js';

/**
 * The statuses a dependency's client answers when the service could not answer this call: down or
 * breaker open (UNAVAILABLE), too slow (DEADLINE_EXCEEDED), failing or refusing our request
 * (INTERNAL, see docs/architecture.md), shedding load (RESOURCE_EXHAUSTED).
 */
const OUTAGE_CODES = new Set([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.INTERNAL,
  status.RESOURCE_EXHAUSTED,
]);

/** True when another service (product, discount) could not answer, as opposed to answering no. */
export function isDependencyOutage(error: unknown): boolean {
  return isAppError(error) && OUTAGE_CODES.has(error.code);
}
