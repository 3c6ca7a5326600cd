import { DeadlockException, OptimisticLockError } from '@mikro-orm/core';

// serialization_failure, deadlock_detected: PostgreSQL rolled the transaction back; a retry may pass.
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/**
 * True when a transaction lost a race rather than met a bug: a deadlock or serialization failure
 * (MikroORM's DeadlockException, or the driver's error when a query ran outside MikroORM's
 * converter) or an optimistic-lock conflict. The whole call may be retried from the start.
 */
export function isConcurrencyConflict(error: unknown): boolean {
  if (error instanceof DeadlockException || error instanceof OptimisticLockError) return true;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}
