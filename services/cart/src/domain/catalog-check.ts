import { LineAvailability, type CartLineChange } from '../../../../gen/ecommerce/cart/v1/cart.js';
import type { Product } from '../../../../gen/ecommerce/product/v1/product.js';
import type { LineRecord } from './cart-store.js';
import { offerOf } from './offer.js';

/**
 * The lines whose price or availability differs from their snapshot, given the catalog as it is
 * now (`products`: the published products by id). A price in another currency than the cart's
 * counts as a changed price.
 */
export function changedLines(
  currency: string,
  lines: readonly LineRecord[],
  products: ReadonlyMap<string, Product>,
): CartLineChange[] {
  const changes: CartLineChange[] = [];
  for (const line of lines) {
    const offer = offerOf(products.get(line.productId), line.variantId);
    const snapshotUnitPrice = { currencyCode: currency, amountMinor: line.unitPrice };
    const base = {
      itemId: line.id,
      productId: line.productId,
      variantId: line.variantId,
      snapshotUnitPrice,
    };
    if (!offer) {
      changes.push({
        ...base,
        currentUnitPrice: undefined,
        priceChanged: false,
        availability: LineAvailability.LINE_AVAILABILITY_UNAVAILABLE,
        availableQuantity: 0,
      });
      continue;
    }
    const priceChanged = offer.price.currencyCode !== currency || offer.price.amountMinor !== line.unitPrice;
    const short = offer.available < line.quantity;
    if (!priceChanged && !short) continue;
    changes.push({
      ...base,
      currentUnitPrice: offer.price,
      priceChanged,
      availability: short
        ? LineAvailability.LINE_AVAILABILITY_SHORT
        : LineAvailability.LINE_AVAILABILITY_IN_STOCK,
      availableQuantity: offer.available,
    });
  }
  return changes;
}
