import { invalidArgument, notFound } from '../../../../../lib/errors.js';
import type { Catalog } from './catalog.js';
import type { QuoteInput } from './quote-input.js';

/** What the lines weigh and how many units they hold, by the product service's weights. */
export interface BasketWeight {
  grams: number;
  units: number;
}

/**
 * Weighs the lines with one catalog call: each line's unit weight (the variant's own, else its
 * product's, as the product service answers it; unknown counts as 0) times its quantity. A product
 * the catalog does not sell is NOT_FOUND naming its line; a variant that is not one of its
 * product's active variants is INVALID_ARGUMENT on `lines[i].variant_id`.
 */
export async function weighBasket(catalog: Catalog, lines: QuoteInput['lines']): Promise<BasketWeight> {
  const products = await catalog.getProducts(lines.map((line) => line.productId));
  let grams = 0;
  let units = 0;
  for (const [i, line] of lines.entries()) {
    const product = products.get(line.productId);
    if (!product) throw notFound('product', `${line.productId} (lines[${i}].product_id)`);
    const variant = product.variants.find((candidate) => candidate.id === line.variantId);
    if (!variant) {
      throw invalidArgument(`lines[${i}].variant_id`, `is not an active variant of product ${product.id}`);
    }
    grams += (variant.weightGrams ?? 0) * line.quantity;
    units += line.quantity;
  }
  return { grams, units };
}
