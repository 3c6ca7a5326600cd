import { ProductServiceClient, type Product } from '../../../../gen/ecommerce/product/v1/product.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import { unitPriceOf } from '../../../../lib/catalog/unit-price.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import { CHECKOUT_CALL_DEADLINE_MS } from '../domain/checkout/checkout-ports.js';
import type { CatalogPort, VariantOffer } from '../domain/checkout/checkout-ports.js';

/** BatchGetProducts takes at most this many ids. */
const BATCH_LIMIT = 100;

/** The catalog and the stock of the product service, asked as this service. */
export function productServiceInventory(
  env: Env,
  serviceToken: ServiceTokenProvider,
): CatalogPort & { close(): void } {
  const client = createServiceClient(ProductServiceClient, 'product', env, {
    serviceToken,
    defaultDeadlineMs: CHECKOUT_CALL_DEADLINE_MS,
  });
  return {
    async offers(lines) {
      const productIds = [...new Set(lines.map((line) => line.productId))];
      const products = new Map<string, Product>();
      for (let start = 0; start < productIds.length; start += BATCH_LIMIT) {
        const { products: batch } = await client.batchGetProducts({
          ids: productIds.slice(start, start + BATCH_LIMIT),
        });
        for (const product of batch) products.set(product.id, product);
      }
      const offers = new Map<string, VariantOffer>();
      for (const { productId, variantId } of lines) {
        const product = products.get(productId);
        if (!product?.variants.some((variant) => variant.id === variantId)) continue;
        const price = unitPriceOf(product, variantId) ?? null;
        offers.set(variantId, {
          productId,
          variantId,
          onSale: price !== null,
          price,
          categoryIds: product.categoryIds,
        });
      }
      return offers;
    },
    async reserve(orderId, lines) {
      await client.reserveStock({
        orderId,
        lines: lines.map((line) => ({ variantId: line.variantId, quantity: line.quantity })),
      });
    },
    async release(orderId) {
      await client.releaseReservation({ orderId });
    },
    async commit(orderId) {
      await client.commitReservation({ orderId });
    },
    async restock(restockId, lines, reason) {
      await client.restock({
        restockId,
        lines: lines.map((line) => ({ variantId: line.variantId, quantity: line.quantity })),
        reason,
      });
    },
    close: () => client.close(),
  };
}
