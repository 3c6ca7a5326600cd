import type { Product } from '../../../../gen/ecommerce/product/v1/product.js';

/** What the cart needs from the product service (a gRPC client in production). */
export interface Catalog {
  /** The published product, or NOT_FOUND; UNAVAILABLE when the product service cannot answer. */
  getProduct(productId: string): Promise<Product>;
  /**
   * The published products among `productIds`, by id, in one call; unknown and unpublished ones
   * are absent. UNAVAILABLE when the product service cannot answer.
   */
  getProducts(productIds: readonly string[]): Promise<Map<string, Product>>;
}
