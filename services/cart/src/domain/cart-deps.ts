import type { Catalog } from './catalog.js';

/** What the cart operations need besides a database: the catalog and the idle expiry. */
export interface CartDeps {
  catalog: Catalog;
  idleExpiryMs: number;
}

export function expiryFrom(idleExpiryMs: number): Date {
  return new Date(Date.now() + idleExpiryMs);
}
