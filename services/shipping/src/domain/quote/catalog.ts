import type { Product } from '../../../../../gen/ecommerce/product/v1/product.js';

/** What the quote needs from the product service (a breaker-guarded gRPC client in production). */
export interface Catalog {
  /**
   * The published products among `productIds` (at most 100), by id, each with its active variants
   * and their unit weights; unknown and unpublished ones are absent. UNAVAILABLE when the product
   * service cannot answer.
   */
  getProducts(productIds: readonly string[]): Promise<Map<string, Product>>;
}
