import type { Product } from '../../../../gen/ecommerce/product/v1/product.js';
import type { LineRecord } from './cart-store.js';
import type { PricingLine } from './discounts.js';

/**
 * The cart's lines as the discount service prices them: at their snapshot prices (the prices the
 * cart shows), with the categories of their product from the catalog answer the cart already has
 * (`products`: the published products by id). A line whose product the catalog no longer sells is
 * priced without categories: it is shown in the cart until the shopper removes it, and the
 * checkout refuses it.
 */
export function pricingLinesOf(
  lines: readonly LineRecord[],
  products: ReadonlyMap<string, Product>,
): PricingLine[] {
  return lines.map((line) => ({
    itemId: line.id,
    productId: line.productId,
    variantId: line.variantId,
    categoryIds: products.get(line.productId)?.categoryIds ?? [],
    unitPrice: line.unitPrice,
    quantity: line.quantity,
  }));
}
