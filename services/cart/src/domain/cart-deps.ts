import type { Catalog } from './catalog.js';
import type { Discounts } from './discounts.js';

/** What the cart operations need besides a database: the catalog, the discounts and the idle expiry. */
export interface CartDeps {
  catalog: Catalog;
  discounts: Discounts;
  idleExpiryMs: number;
}

export function expiryFrom(idleExpiryMs: number): Date {
  return new Date(Date.now() + idleExpiryMs);
}
