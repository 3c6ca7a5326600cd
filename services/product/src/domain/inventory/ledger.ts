import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';

/**
 * What the product service keeps as state in `infra.idempotency_keys` (scope, key) → JSON: an
 * order's stock reservation (docs/database/product_db.md gives it no table of its own: it is the entry of the
 * order's ReserveStock call, which release and commit read back and close) and a delivered
 * purchase. Retry keys (AdjustStock, Restock) use lib/idempotency instead, whose entries expire.
 * These are written without `expires_at`, so the purge of that table leaves them alone: a
 * purchase is kept for good, a reservation until it is closed (`rewrite` with an expiry).
 *
 * `claim` inserts the entry in the caller's transaction, so two calls with one key serialise on the
 * primary key: the second waits until the first commits (then finds its entry) or rolls back (then
 * claims it itself).
 */
export type LedgerScope = 'reserve-stock' | 'purchase';

export interface LedgerEntry<T> {
  requestHash: string;
  result: T;
}

/**
 * Claims (scope, key) for this transaction; false when an entry already exists (read it with
 * `read`). Kept until `expiresInDays` (none: for good, or until a `rewrite` gives it an expiry).
 */
export async function claim<T>(
  em: EntityManager,
  scope: LedgerScope,
  key: string,
  requestHash: string,
  result: T,
  expiresInDays?: number,
): Promise<boolean> {
  const rows = await executePrepared<{ key: string }>(
    em,
    'product:ledger-claim',
    `INSERT INTO infra.idempotency_keys (scope, key, request_hash, status, response, completed_at, expires_at)
     VALUES (?, ?, ?, 'completed', ?, now(), now() + make_interval(days => ?::int))
     ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
    [scope, key, requestHash, Buffer.from(JSON.stringify(result)), expiresInDays ?? null],
  );
  return rows.length > 0;
}

/** The entry of (scope, key), locked for this transaction when `forUpdate`. */
export async function read<T>(
  em: EntityManager,
  scope: LedgerScope,
  key: string,
  forUpdate = false,
): Promise<LedgerEntry<T> | undefined> {
  const [row] = await executePrepared<{ request_hash: string; response: Buffer | Uint8Array }>(
    em,
    forUpdate ? 'product:ledger-read-for-update' : 'product:ledger-read',
    `SELECT request_hash, response FROM infra.idempotency_keys WHERE scope = ? AND key = ?${
      forUpdate ? ' FOR UPDATE' : ''
    }`,
    [scope, key],
  );
  if (!row) return undefined;
  return {
    requestHash: row.request_hash,
    result: JSON.parse(Buffer.from(row.response).toString('utf8')) as T,
  };
}

/** Replaces the recorded result of (scope, key); `expiresInDays`: it may go that long from now. */
export async function rewrite<T>(
  em: EntityManager,
  scope: LedgerScope,
  key: string,
  result: T,
  expiresInDays?: number,
): Promise<void> {
  await executePrepared(
    em,
    'product:ledger-rewrite',
    `UPDATE infra.idempotency_keys
        SET response = ?, completed_at = now(), expires_at = now() + make_interval(days => ?::int)
      WHERE scope = ? AND key = ?`,
    [Buffer.from(JSON.stringify(result)), expiresInDays ?? null, scope, key],
  );
}
