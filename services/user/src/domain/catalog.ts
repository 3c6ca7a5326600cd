import type { Product } from '../../../../gen/ecommerce/product/v1/product.js';

/** What the wishlist needs from the product service (a gRPC client in production). */
export interface Catalog {
  /** The product on sale, or NOT_FOUND; UNAVAILABLE when the product service cannot answer. */
  getProduct(productId: string): Promise<Product>;
}
