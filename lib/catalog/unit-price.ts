import { ProductStatus, type Product } from '../../gen/ecommerce/product/v1/product.js';
import type { Money } from '../money.js';

/**
 * What a shopper pays now for one unit of a product's variant, read from the product service's
 * answer: the variant's own price, else the product's. Undefined when it cannot be bought: the
 * product is not on sale (not ACTIVE), the variant is not one of it, or there is no price. The
 * one reading of the catalog's prices, shared by the cart and the checkout.
 */
export function unitPriceOf(product: Product | undefined, variantId: string): Money | undefined {
  if (!product || product.status !== ProductStatus.PRODUCT_STATUS_ACTIVE) return undefined;
  const variant = product.variants.find((v) => v.id === variantId);
  if (!variant) return undefined;
  return variant.price ?? product.price;
}
