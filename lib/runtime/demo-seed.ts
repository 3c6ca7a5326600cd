import type { MikroORM } from '../db/index.js';
import type { Env } from '../config/index.js';

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
