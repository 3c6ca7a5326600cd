import type { EntityManager } from './orm.js';

export interface BatchDeleteOptions {
  /** Rows per statement. Default 1000. */
  batchSize?: number;
  /** Most statements per call, so one call stays bounded however large the backlog. Default 100. */
  maxBatches?: number;
  /** Checked between batches: a stopping job ends early and the rest waits for its next run. */
  stopping?: () => boolean;
}

/**
 * Deletes the rows of `table` matching `where`, `batchSize` at a time, each batch its own short
 * autocommit statement (no long lock, no long transaction). Idempotent: replicas running it at
 * once delete each row once between them. `key` is the table's primary key (columns, comma-separated).
 * Returns how many rows this call deleted.
 */
export async function deleteInBatches(
  em: EntityManager,
  table: string,
  key: string,
  where: string,
  params: unknown[],
  options: BatchDeleteOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 1_000;
  const maxBatches = options.maxBatches ?? 100;
  let total = 0;
  for (let batch = 0; batch < maxBatches && !options.stopping?.(); batch++) {
    const deleted = await em.execute<unknown[]>(
      `DELETE FROM ${table} WHERE (${key}) IN (
         SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${batchSize}
       ) RETURNING 1 AS deleted`,
      params,
    );
    total += deleted.length;
    if (deleted.length < batchSize) break;
  }
  return total;
}
