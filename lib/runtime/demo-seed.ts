import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '../db/index.js';
import { readBoolean, type Env } from '../config/index.js';
import type { Logger } from '../log.js';

/** What loading a service's demo data did. */
export interface DemoSeedResult {
  /** Rows inserted, per table (0 when the table already had them: seeding twice inserts nothing). */
  inserted: Record<string, number>;
  /** Lines for the person who ran the seed, printed once (for one, the generated admin credentials). */
  notices: string[];
}

/**
 * Loads a service's share of the demo store into its own (migrated) database, idempotently: rows
 * are recognised by their natural key (slug, SKU, code, name) and never inserted twice.
 */
export type DemoSeed = (orm: MikroORM, env: Env) => Promise<DemoSeedResult>;

/** Adds one table's count to a result being built. */
export function countInserted(result: DemoSeedResult, table: string, rows = 1): void {
  result.inserted[table] = (result.inserted[table] ?? 0) + rows;
}

export function emptySeedResult(tables: string[]): DemoSeedResult {
  return { inserted: Object.fromEntries(tables.map((t) => [t, 0])), notices: [] };
}

/**
 * The embedded first start (`make run` sets SEED_DEMO_DATA): a service whose database was created
 * just now loads its demo data, so a newcomer's store has something in it. Never in production,
 * never unless asked. A failure is logged and the service starts anyway (`make seed` retries).
 */
export async function seedNewDatabase(
  seed: DemoSeed | undefined,
  orm: MikroORM,
  env: Env,
  options: { isNew: boolean; production: boolean; logger: Logger },
): Promise<void> {
  const { isNew, production, logger } = options;
  if (!seed || !isNew || production || !readBoolean(env, 'SEED_DEMO_DATA', false)) return;
  try {
    const result = await seed(orm, env);
    logger.info({ inserted: result.inserted }, 'demo data loaded');
    for (const notice of result.notices) process.stdout.write(`\n${notice}\n\n`);
  } catch (error) {
    logger.error({ err: error }, 'demo data not loaded (run `make seed` to try again)');
  }
}

/**
 * Runs a seed again if a concurrent seed inserted one of the same natural keys first (its unique
 * index refused ours and the transaction rolled back): the second pass finds those rows and
 * skips them. So two seeds at once both succeed and still insert everything once.
 */
export async function retryOnceOnConflict<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) return load();
    throw error;
  }
}
