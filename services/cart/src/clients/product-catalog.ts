import { ProductServiceClient, type Product } from '../../../../gen/ecommerce/product/v1/product.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { Catalog } from '../domain/catalog.js';

/** BatchGetProducts takes at most this many ids. */
const BATCH_LIMIT = 100;

/**
 * The catalog as the product service answers it, through the breaker-guarded client: a product
 * service that is down answers UNAVAILABLE at once while the breaker is open. Asked as a shopper
 * (no token relayed): the cart only ever holds what shoppers can buy.
 *
 * Lookups of one product that overlap in time share one call (a popular product added by many
 * shoppers at once costs one GetProduct, not one each); an answer is never kept after it arrives.
 */
export function productServiceCatalog(env: Env): Catalog & { close(): void } {
  const client = createServiceClient(ProductServiceClient, 'product', env);
  const inFlight = new Map<string, Promise<Product>>();

  async function fetchProduct(productId: string): Promise<Product> {
    const { product } = await client.getProduct(
      { lookup: { $case: 'id', value: productId } },
      { authorization: '' },
    );
    if (!product) throw new Error(`product service answered GetProduct(${productId}) without a product`);
    return product;
  }

  return {
    getProduct(productId) {
      let call = inFlight.get(productId);
      if (!call) {
        call = fetchProduct(productId).finally(() => inFlight.delete(productId));
        inFlight.set(productId, call);
      }
      return call;
    },
    async getProducts(productIds) {
      const found = new Map<string, Product>();
      for (let start = 0; start < productIds.length; start += BATCH_LIMIT) {
        const { products } = await client.batchGetProducts(
          { ids: productIds.slice(start, start + BATCH_LIMIT) },
          { authorization: '' },
        );
        for (const product of products) found.set(product.id, product);
      }
      return found;
    },
    close: () => client.close(),
  };
}
