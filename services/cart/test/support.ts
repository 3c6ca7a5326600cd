import { Product, ProductStatus } from '../../../gen/ecommerce/product/v1/product.js';
import { notFound, unavailable } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import type { CartDeps } from '../src/domain/cart-deps.js';
import type { Catalog } from '../src/domain/catalog.js';
import { cartEntities } from '../src/entities/index.js';
import { cartMigrations } from '../src/migrations/index.js';
export { failureOf } from '../../../lib/testing/app-error.js';

/**
 * The catalog port answered from memory, as the product service would answer a shopper: unknown
 * and unpublished products are NOT_FOUND (absent from a batch); `down` makes every call UNAVAILABLE.
 * Counts calls, so tests can tell which operations needed the catalog.
 */
export class MemoryCatalog implements Catalog {
  readonly products = new Map<string, Product>();
  down = false;
  calls = { getProduct: 0, getProducts: 0 };

  add(product: Product): Product {
    this.products.set(product.id, product);
    return product;
  }

  private published(id: string): Product | undefined {
    const product = this.products.get(id);
    return product && product.status === ProductStatus.PRODUCT_STATUS_ACTIVE && product.visible
      ? structuredClone(product)
      : undefined;
  }

  async getProduct(id: string): Promise<Product> {
    this.calls.getProduct++;
    if (this.down) throw unavailable('product service unavailable');
    const product = this.published(id);
    if (!product) throw notFound('product', id);
    return product;
  }

  async getProducts(ids: readonly string[]): Promise<Map<string, Product>> {
    this.calls.getProducts++;
    if (this.down) throw unavailable('product service unavailable (circuit open)');
    return new Map(ids.flatMap((id) => (this.published(id) ? [[id, this.published(id)!]] : [])));
  }
}

/** A published product with one variant per entry of `stock`, priced `price` minor units. */
export function productWith(
  stock: number[],
  options: { price?: number; currency?: string; name?: string } = {},
): Product {
  const price = { currencyCode: options.currency ?? 'EUR', amountMinor: options.price ?? 1999 };
  const tag = Math.random().toString(36).slice(2, 8).toUpperCase();
  return Product.fromPartial({
    id: newId(),
    sku: `TEE-${tag}`,
    name: options.name ?? 'Plain tee',
    slug: `plain-tee-${tag.toLowerCase()}`,
    price,
    status: ProductStatus.PRODUCT_STATUS_ACTIVE,
    visible: true,
    variants: stock.map((available, k) => ({
      id: newId(),
      sku: `TEE-${tag}-${k}`,
      name: `Size ${k}`,
      price,
      availableQuantity: available,
    })),
  });
}

export async function openCartDatabase(prefix: string): Promise<ScratchDatabase> {
  return openScratchDatabase(prefix, { entities: cartEntities, migrations: cartMigrations });
}

export function depsWith(catalog: Catalog, idleExpiryMs = 7 * 86_400_000): CartDeps {
  return { catalog, idleExpiryMs };
}

/** A guest session id in the accepted format, unique per call. */
export function newSessionId(): string {
  return `guest-${newId()}`;
}

/** A whole-number count from SQL. */
export async function countOf(db: ScratchDatabase, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await db.orm.em
    .fork()
    .execute<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return row!.n;
}
