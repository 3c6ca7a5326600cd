import { createHash } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CommonReason } from '../error-reasons.js';
import { AppError, failedPrecondition } from '../errors.js';

/**
 * Idempotency keys, one rule for the whole platform: a retry-safe mutating RPC takes a key from its
 * caller; the first request under a key does the work once and its answer is stored; a repeat of
 * the same request answers the stored answer and does nothing; the same key with a different
 * request is refused, FAILED_PRECONDITION naming the key.
 *
 * The ledger is the service database's `infra.idempotency_keys` (scope, key) → request hash,
 * state, stored answer (JSON). How to use it (payment, order, discount, return: this is for you):
 *
 * ```ts
 * const answer = await runOnce(em, { scope: 'capture-payment', key, request }, async (tx) => {
 *   // every write of the operation, through `tx`; what you return is stored and replayed
 *   return { paymentId, capturedAt: capturedAt.toISOString() };
 * });
 * ```
 *
 * - **Claimed in the caller's transaction.** `runOnce` (or `claimIdempotencyKey` +
 *   `completeIdempotencyKey` in your own transaction) inserts the key in the transaction that does
 *   the work: a concurrent request with the same key waits on the primary key until the first
 *   commits (then it reads the stored answer) or rolls back (then it claims the key itself). A
 *   request that fails (an AppError, a crash) leaves no key behind, so its retry is judged afresh.
 * - **States.** `in_progress` while the claiming transaction runs (and for work that commits its
 *   claim before finishing, e.g. around a call to a payment provider: `claimIdempotencyKey` then
 *   commit, the call, then `completeIdempotencyKey`); a repeat that finds it answers ABORTED
 *   ("still in progress; retry"). `completed` once the answer is stored. A process that dies
 *   between such a claim and its completion leaves the key in progress until it expires: use that
 *   form only with an outside call that is itself idempotent, and finish stale claims (a sweep).
 * - **Same request?** The request hash is SHA-256 of `JSON.stringify(request)`: pass what defines
 *   the operation (not the key, not the caller's token), built in a fixed property order.
 * - **Scope** names the operation, and its owner when keys are only unique per owner
 *   (`add-payment-method/<user id>`): two customers may pick the same key.
 * - **The answer** is JSON: store ids and plain values (dates as ISO strings), not entities.
 * - **Retention.** A claim sets `expires_at` to `IDEMPOTENCY_RETENTION_DAYS` after it; the purge
 *   of `infra.idempotency_keys` deletes rows past their `expires_at` (never rows without one). A
 *   retry later than that is a new request. Entries a service keeps as its own state in this
 *   table (product's reservations and purchases, `services/product/src/domain/inventory/ledger.ts`) are
 *   written without `expires_at` and given one when no longer needed.
 */
export const IDEMPOTENCY_RETENTION_DAYS = 7;

export interface IdempotentRequest {
  /** The operation (and owner, when keys are per owner). */
  scope: string;
  /** The caller's key. */
  key: string;
  /** What defines the request; a repeat must send the same. */
  request: unknown;
}

export type IdempotencyClaim<T> = { state: 'claimed' } | { state: 'completed'; answer: T };

export function requestHashOf(request: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(request) ?? 'undefined')
    .digest('hex');
}

/** The refusal of a key used for a different request (also for a table that keeps its own keys). */
export function idempotencyKeyReused(key: string): AppError {
  return failedPrecondition(
    `idempotency key ${key} was already used for a different request`,
    CommonReason.IDEMPOTENCY_KEY_REUSED,
  );
}

/**
 * Claims the key in the caller's transaction (`claimed`: do the work, then complete it), or finds
 * the earlier request's answer (`completed`). FAILED_PRECONDITION when the key was used for a
 * different request; ABORTED when the earlier request committed its claim and has not finished.
 */
export async function claimIdempotencyKey<T>(
  tx: EntityManager,
  { scope, key, request }: IdempotentRequest,
): Promise<IdempotencyClaim<T>> {
  const requestHash = requestHashOf(request);
  const inserted = await tx.execute<{ key: string }[]>(
    `INSERT INTO infra.idempotency_keys (scope, key, request_hash, status, expires_at)
     VALUES (?, ?, ?, 'in_progress', now() + make_interval(days => ?))
     ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
    [scope, key, requestHash, IDEMPOTENCY_RETENTION_DAYS],
  );
  if (inserted.length > 0) return { state: 'claimed' };
  const [row] = await tx.execute<{ request_hash: string; status: string; response: Uint8Array | null }[]>(
    'SELECT request_hash, status, response FROM infra.idempotency_keys WHERE scope = ? AND key = ?',
    [scope, key],
  );
  // Purged between the two statements: the earlier request is out of retention, so this is a first.
  if (!row) return claimIdempotencyKey(tx, { scope, key, request });
  if (row.request_hash !== requestHash) throw idempotencyKeyReused(key);
  if (row.status !== 'completed') {
    throw new AppError(
      status.ABORTED,
      `a request with idempotency key ${key} is still in progress; retry`,
      undefined,
      {
        reason: CommonReason.IDEMPOTENCY_KEY_IN_PROGRESS,
      },
    );
  }
  return { state: 'completed', answer: JSON.parse(Buffer.from(row.response!).toString('utf8')) as T };
}

/** Stores the answer of a claimed key; the key is `completed` when the transaction commits. */
export async function completeIdempotencyKey<T>(
  tx: EntityManager,
  scope: string,
  key: string,
  answer: T,
): Promise<void> {
  await tx.execute(
    `UPDATE infra.idempotency_keys SET status = 'completed', response = ?, completed_at = now()
      WHERE scope = ? AND key = ?`,
    [Buffer.from(JSON.stringify(answer)), scope, key],
    'run',
  );
}

/**
 * Runs `work` once per key, in one transaction with the claim: a repeat of the same request gets
 * the first answer, a different request under the key FAILED_PRECONDITION. `work` throwing rolls
 * back the claim with everything else.
 */
export async function runOnce<T>(
  em: EntityManager,
  request: IdempotentRequest,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  return em.transactional(async (tx) => {
    const claim = await claimIdempotencyKey<T>(tx, request);
    if (claim.state === 'completed') return claim.answer;
    const answer = await work(tx);
    await completeIdempotencyKey(tx, request.scope, request.key, answer);
    // The first caller gets what every repeat will get: the answer as stored.
    return JSON.parse(JSON.stringify(answer)) as T;
  });
}
