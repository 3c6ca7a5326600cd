import type { PriceCartResponse } from '../../../../gen/ecommerce/discount/v1/discount.js';

/** One cart line as the discount service prices it: the snapshot price and the product's categories. */
export interface PricingLine {
  /** The cart item id (the line id of the pricing request and answer). */
  itemId: string;
  productId: string;
  variantId: string;
  /** The product's categories, as the catalog answered them. */
  categoryIds: readonly string[];
  /** Minor units of the cart's currency. */
  unitPrice: number;
  quantity: number;
}

/** Whose cart is priced: a customer's user id, or null for a guest (no identity the limits can count). */
export type PricingCustomer = string | null;

/** What the cart needs from the discount service (a gRPC client in production). */
export interface Discounts {
  /**
   * Resolves when the coupon can be used for this cart. A refusal is the discount service's own
   * answer, passed through: NOT_FOUND (unknown code, reason COUPON_NOT_FOUND) or
   * FAILED_PRECONDITION (reason COUPON_EXPIRED, COUPON_EXHAUSTED, …). UNAVAILABLE,
   * DEADLINE_EXCEEDED or INTERNAL when the discount service cannot answer.
   */
  checkCoupon(request: {
    code: string;
    currency: string;
    customerId: PricingCustomer;
    lines: readonly PricingLine[];
  }): Promise<void>;
  /**
   * The discounts the lines get now: the running promotions and the coupon (a coupon that does not
   * apply is refused inside the answer, not by an error). UNAVAILABLE, DEADLINE_EXCEEDED or INTERNAL
   * when the discount service cannot answer.
   */
  priceCart(request: {
    currency: string;
    customerId: PricingCustomer;
    couponCode: string | null;
    lines: readonly PricingLine[];
  }): Promise<PriceCartResponse>;
}
