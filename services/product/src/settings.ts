import { readInt, type Env } from '../../../lib/config/env.js';

/** The product service's own settings (environment variables). */
export interface ProductSettings {
  /** PRODUCT_CACHE_TTL_MS: longest a cached product or page is served (0 turns the cache off). */
  cacheTtlMs: number;
  /** PRODUCT_CACHE_MAX_ENTRIES: products kept in the read cache. */
  cacheMaxEntries: number;
  /**
   * PRODUCT_LOW_STOCK_THRESHOLD: low-stock threshold of new stock rows when none is given, and of a
   * product's total for its `stock_status` (low_stock at or below it).
   */
  lowStockThreshold: number;
}

export function productSettingsFrom(env: Env): ProductSettings {
  return {
    cacheTtlMs: readInt(env, 'PRODUCT_CACHE_TTL_MS', 5_000, { min: 0, max: 3_600_000 }),
    cacheMaxEntries: readInt(env, 'PRODUCT_CACHE_MAX_ENTRIES', 20_000, { min: 10, max: 10_000_000 }),
    lowStockThreshold: readInt(env, 'PRODUCT_LOW_STOCK_THRESHOLD', 5, { min: 0, max: 1_000_000 }),
  };
}
