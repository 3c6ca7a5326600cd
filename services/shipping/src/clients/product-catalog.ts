import { ProductServiceClient, type Product } from '../../../../gen/ecommerce/product/v1/product.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { Catalog } from '../domain/quote/catalog.js';

/**
 * The catalog as the product service answers it, through the breaker-guarded client: a product
 * service that is down answers UNAVAILABLE (at once while the breaker is open). Asked as a shopper
 * (no token relayed): a basket only ever holds what shoppers can buy.
 *
 * A basket's products are read in one BatchGetProducts (a quote has at most 100 lines, the batch
 * limit). Identical batches that overlap in time share one call (a storefront showing one basket's
 * quote to many shoppers at once costs one call, not one each); nothing is kept after the answer.
 */
export function productServiceCatalog(env: Env): Catalog & { close(): void } {
  const client = createServiceClient(ProductServiceClient, 'product', env);
  const inFlight = new Map<string, Promise<Map<string, Product>>>();

  async function fetchProducts(ids: readonly string[]): Promise<Map<string, Product>> {
    const { products } = await client.batchGetProducts({ ids: [...ids] }, { authorization: '' });
    return new Map(products.map((product) => [product.id, product]));
  }

  return {
    getProducts(productIds) {
      const ids = [...new Set(productIds)].sort();
      const key = ids.join(',');
      let call = inFlight.get(key);
      if (!call) {
        call = fetchProducts(ids).finally(() => inFlight.delete(key));
        inFlight.set(key, call);
      }
      return call;
    },
    close: () => client.close(),
  };
}
