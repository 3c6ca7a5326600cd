import { ProductStatus, type Product } from '../../../../gen/ecommerce/product/v1/product.js';
import { unitPriceOf } from '../../../../lib/catalog/unit-price.js';
import { CartReason } from '../../../../lib/error-reasons.js';
import { failedPrecondition, invalidArgument } from '../../../../lib/errors.js';
import type { Money } from '../../../../lib/money.js';
import type { LineSnapshot } from './cart-store.js';

/** What the catalog offers for one variant now: the line snapshot, its price and the units available. */
export interface Offer {
  snapshot: LineSnapshot;
  price: Money;
  available: number;
}

/** The offer of a variant, or undefined when it cannot be bought (unknown, not on sale, variant gone, no price). */
export function offerOf(product: Product | undefined, variantId: string): Offer | undefined {
  const price = unitPriceOf(product, variantId);
  const variant = product?.variants.find((v) => v.id === variantId);
  if (!product || !variant || !price) return undefined;
  return {
    snapshot: {
      productId: product.id,
      variantId,
      productName: product.name,
      productSku: variant.sku,
      productImageUrl:
        variant.imageUrl || (product.images.find((i) => i.primary) ?? product.images[0])?.url || null,
      unitPrice: price.amountMinor,
    },
    price,
    available: Math.max(0, variant.availableQuantity),
  };
}

/**
 * The offer of a variant a caller asked for, or the precise reason it cannot be bought: a variant of
 * another product is the caller's mistake (INVALID_ARGUMENT on variant_id), a product that is not on
 * sale or has no price is FAILED_PRECONDITION. (An unknown or unpublished product is already
 * NOT_FOUND from the product service.)
 */
export function requireOffer(product: Product, variantId: string): Offer {
  if (product.status !== ProductStatus.PRODUCT_STATUS_ACTIVE) {
    throw failedPrecondition(`product ${product.id} is not on sale`, CartReason.NOT_FOR_SALE, {
      product_id: product.id,
    });
  }
  if (!product.variants.some((v) => v.id === variantId)) {
    throw invalidArgument('variant_id', `is not a variant of product ${product.id}`);
  }
  const offer = offerOf(product, variantId);
  if (!offer)
    throw failedPrecondition(`product ${product.id} has no price`, CartReason.NOT_FOR_SALE, {
      product_id: product.id,
    });
  return offer;
}

/** Refuses a line quantity beyond what is available now. */
export function requireAvailable(offer: Offer, quantity: number): void {
  if (quantity > offer.available) {
    throw failedPrecondition(
      `only ${offer.available} of ${offer.snapshot.productSku} available (the line would hold ${quantity})`,
      CartReason.OUT_OF_STOCK,
      {
        product_id: offer.snapshot.productId,
        variant_id: offer.snapshot.variantId,
        available: String(offer.available),
        requested: String(quantity),
      },
    );
  }
}

/** Refuses an offer priced in another currency than the cart's. */
export function requireCurrency(cart: { currency: string }, offer: Offer): void {
  if (offer.price.currencyCode !== cart.currency) {
    throw failedPrecondition(
      `cart is in ${cart.currency}; product ${offer.snapshot.productId} is priced in ${offer.price.currencyCode}`,
      CartReason.CURRENCY_MISMATCH,
      { cart_currency: cart.currency, product_currency: offer.price.currencyCode },
    );
  }
}
