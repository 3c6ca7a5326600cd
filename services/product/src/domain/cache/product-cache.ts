import type { ProductView } from '../product-view.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

export interface ProductCacheOptions {
  /** How long an entry may be served without an invalidation having reached it (safety net). */
  ttlMs: number;
  /** Products kept at most (least recently filled dropped first); lists get a tenth of it. */
  maxEntries: number;
}

/**
 * The process's read cache of product views (by id and slug) and of listing pages. Entries go
 * when the product events say the product changed (on every replica, see cache-invalidation.ts),
 * listing pages also when the category tree changes, when this process changes stock, or after
 * `ttlMs` at the latest.
 *
 * A read that started before an invalidation must not store what it read (it may be the old
 * version): `generation()` taken before the database read is handed to `put`, which drops the value
 * if any invalidation happened meanwhile.
 */
export class ProductCache {
  private readonly products = new Map<string, Entry<ProductView>>();
  private readonly idBySlug = new Map<string, string>();
  private readonly lists = new Map<string, Entry<unknown>>();
  private invalidations = 0;

  constructor(private readonly options: ProductCacheOptions) {}

  generation(): number {
    return this.invalidations;
  }

  byId(id: string): ProductView | undefined {
    return this.fresh(this.products, id);
  }

  bySlug(slug: string): ProductView | undefined {
    const id = this.idBySlug.get(slug);
    if (id === undefined) return undefined;
    const view = this.byId(id);
    if (view?.slug === slug) return view;
    // The product left the cache (expired, evicted) or goes by another slug now.
    this.idBySlug.delete(slug);
    return undefined;
  }

  put(view: ProductView, generation: number): void {
    if (generation !== this.invalidations || this.options.ttlMs <= 0) return;
    this.evictIfFull(this.products, this.options.maxEntries, (evicted) => {
      if (this.idBySlug.get(evicted.slug) === evicted.id) this.idBySlug.delete(evicted.slug);
    });
    this.products.set(view.id, { value: view, expiresAt: Date.now() + this.options.ttlMs });
    this.idBySlug.set(view.slug, view.id);
  }

  list<T>(key: string): T | undefined {
    return this.fresh(this.lists, key) as T | undefined;
  }

  putList(key: string, value: unknown, generation: number): void {
    if (generation !== this.invalidations || this.options.ttlMs <= 0) return;
    this.evictIfFull(this.lists, Math.max(1, Math.floor(this.options.maxEntries / 10)));
    this.lists.set(key, { value, expiresAt: Date.now() + this.options.ttlMs });
  }

  /** Drops a product (and every listing page, which may show it). */
  invalidate(productId: string): void {
    this.invalidations++;
    const entry = this.products.get(productId);
    if (entry) {
      this.products.delete(productId);
      if (this.idBySlug.get(entry.value.slug) === productId) this.idBySlug.delete(entry.value.slug);
    }
    this.lists.clear();
  }

  /**
   * Drops every listing page, and keeps the products: the category tree changed, so a listing by
   * category may show other products, while no product view names more than its own category ids.
   */
  invalidateLists(): void {
    this.invalidations++;
    this.lists.clear();
  }

  clear(): void {
    this.invalidations++;
    this.products.clear();
    this.idBySlug.clear();
    this.lists.clear();
  }

  private fresh<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  private evictIfFull<T>(map: Map<string, Entry<T>>, max: number, onEvict?: (value: T) => void): void {
    while (map.size >= max) {
      const oldest = map.entries().next();
      if (oldest.done) return;
      map.delete(oldest.value[0]);
      onEvict?.(oldest.value[1].value);
    }
  }
}
