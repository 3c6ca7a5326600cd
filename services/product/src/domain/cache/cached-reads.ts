import type { ProductView } from '../product-view.js';
import type { ProductLookup, ProductSource } from '../catalog.js';
import type { ProductCache } from './product-cache.js';

/**
 * Product views through the process cache: a hit costs no database round trip (nor an entity
 * manager); misses are read from the database in one query and stored. Only for shoppers' reads:
 * editors read the database directly.
 */
export class CachedProductReads implements ProductSource {
  constructor(
    private readonly cache: ProductCache,
    private readonly database: ProductSource,
  ) {}

  async one(lookup: ProductLookup): Promise<ProductView | undefined> {
    const hit = 'id' in lookup ? this.cache.byId(lookup.id) : this.cache.bySlug(lookup.slug);
    if (hit) return hit;
    const generation = this.cache.generation();
    const view = await this.database.one(lookup);
    if (view) this.cache.put(view, generation);
    return view;
  }

  /** The views of these ids that exist, in no particular order. */
  async many(ids: readonly string[]): Promise<ProductView[]> {
    const found: ProductView[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.cache.byId(id);
      if (hit) found.push(hit);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const generation = this.cache.generation();
    for (const view of await this.database.many(missing)) {
      this.cache.put(view, generation);
      found.push(view);
    }
    return found;
  }
}
