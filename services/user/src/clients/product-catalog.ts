import { ProductServiceClient } from '../../../../gen/ecommerce/product/v1/product.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { Catalog } from '../domain/catalog.js';

/**
 * The catalog as the product service answers it, through the breaker-guarded client: a product
 * service that is down answers UNAVAILABLE at once while the breaker is open.
 */
export function productServiceCatalog(env: Env): Catalog & { close(): void } {
  const client = createServiceClient(ProductServiceClient, 'product', env);
  return {
    async getProduct(productId) {
      // Asked as a shopper (no token relayed): a wishlist only takes what shoppers can see.
      const { product } = await client.getProduct(
        { lookup: { $case: 'id', value: productId } },
        { authorization: '' },
      );
      if (!product) throw new Error(`product service answered GetProduct(${productId}) without a product`);
      return product;
    },
    close: () => client.close(),
  };
}
