import type { Money } from '../../../../../lib/money.js';

/**
 * What the checkout asks of the five services it crosses, each as the narrow question the saga
 * needs (src/clients/ answers them over gRPC). Every effect is keyed by the order id, so that a
 * step run again after a crash finds its first effect instead of making a second one.
 *
 * A refusal arrives as the AppError the dependency answered (its status, reason and metadata kept);
 * an outage as UNAVAILABLE or DEADLINE_EXCEEDED.
 */
/**
 * A checkout's call to another service may take this long: the saga runs detached with its own
 * budget, and under a burst a slow answer is worth more than a timeout that undoes the checkout.
 */
export const CHECKOUT_CALL_DEADLINE_MS = 10_000;

export interface CheckoutPorts {
  cart: CartPort;
  catalog: CatalogPort;
  shipping: ShippingPort;
  discounts: DiscountPort;
  payments: PaymentPort;
}

export type CartOwner = { userId: string } | { sessionId: string };

export interface CheckoutCartLine {
  itemId: string;
  productId: string;
  variantId: string;
  productName: string;
  sku: string;
  quantity: number;
  /** The price the shopper saw when the line was last checked (the cart's snapshot). */
  unitPriceMinor: number;
}

export interface CheckoutCart {
  id: string;
  active: boolean;
  /** The cart's status in words, for a refusal ("converted"). */
  status: string;
  currency: string;
  couponCode: string | null;
  lines: CheckoutCartLine[];
}

export interface CartPort {
  /** The cart, if it is this owner's (NOT_FOUND otherwise). */
  checkoutCart(cartId: string, owner: CartOwner): Promise<CheckoutCart>;
}

/** What a variant sells for now. */
export interface VariantOffer {
  productId: string;
  variantId: string;
  /** False when the product is not on sale, the variant is gone, or it has no price. */
  onSale: boolean;
  price: Money | null;
  /** The product's categories, for promotions that match a category. */
  categoryIds: string[];
}

export interface CatalogPort {
  /** The current offer of each variant, by variant id (a variant the catalog does not know is absent). */
  offers(lines: readonly { productId: string; variantId: string }[]): Promise<Map<string, VariantOffer>>;
  /** Reserves the lines for the order, all or nothing (OUT_OF_STOCK / NOT_FOR_SALE name the short lines). */
  reserve(orderId: string, lines: readonly { variantId: string; quantity: number }[]): Promise<void>;
  /** Gives the order's reservation back; harmless when there is none. */
  release(orderId: string): Promise<void>;
  /** Turns the order's reservation into a sale. */
  commit(orderId: string): Promise<void>;
  /** Puts sold units back on hand, once per `restockId`. */
  restock(
    restockId: string,
    lines: readonly { variantId: string; quantity: number }[],
    reason: string,
  ): Promise<void>;
}

export interface CheckoutAddress {
  firstName: string;
  lastName: string;
  company: string;
  line1: string;
  line2: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  phone: string;
}

export interface ShippingPort {
  /** The method's price for this address and these lines now (SHIPPING_METHOD_NOT_AVAILABLE otherwise). */
  confirm(request: {
    methodId: string;
    address: CheckoutAddress;
    lines: readonly { productId: string; variantId: string; quantity: number }[];
    subtotal: Money;
  }): Promise<{ methodName: string; price: Money }>;
}

export type Buyer = { userId: string } | { guestEmail: string };

export interface PricingLine {
  lineId: string;
  productId: string;
  variantId: string;
  categoryIds: string[];
  unitPriceMinor: number;
  quantity: number;
}

/** The discounts of an order, as the discount service priced them. */
export interface OrderPricing {
  /** Each line's whole discount (line promotions and its share of order discounts and the coupon). */
  lineDiscounts: Record<string, number>;
  shippingDiscountMinor: number;
  /** The coupon's refusal, when the cart's coupon does not apply (the checkout refuses then). */
  couponRefusal: { reason: string; message: string } | null;
  couponDiscountMinor: number;
  /** What each promotion gave, for the usage record. */
  promotions: { promotionId: string; discountMinor: number }[];
}

export interface DiscountPort {
  price(request: {
    currency: string;
    lines: readonly PricingLine[];
    shippingMinor: number;
    buyer: Buyer;
    couponCode: string | null;
  }): Promise<OrderPricing>;
  /** Counts the order's coupon use against its limits (COUPON_EXHAUSTED, …) and records the promotions. */
  reserve(request: {
    orderId: string;
    buyer: Buyer;
    currency: string;
    couponCode: string | null;
    couponDiscountMinor: number;
    promotions: readonly { promotionId: string; discountMinor: number }[];
  }): Promise<void>;
  redeem(orderId: string): Promise<void>;
  /** Harmless when nothing was reserved. */
  release(orderId: string): Promise<void>;
}

export type PaymentSource = { paymentMethodId: string } | { paymentToken: string };

export interface PaymentPort {
  /**
   * Authorises the amount (PAYMENT_DECLINED with its decline code otherwise) and, with `capture`,
   * captures it in the same call; answers the payment id and whether it was captured.
   */
  authorize(request: {
    orderId: string;
    buyer: Buyer;
    amount: Money;
    source: PaymentSource;
    idempotencyKey: string;
    capture: boolean;
  }): Promise<{ paymentId: string; captured: boolean }>;
  capture(request: { paymentId: string; amount: Money; idempotencyKey: string }): Promise<void>;
  /**
   * Gives back every payment of the order: voids what is only authorised, refunds what was
   * captured. Harmless when there is none (a lost authorisation answer is found by the payment
   * service by the order id and its key, never assumed).
   */
  undo(orderId: string, reason: string): Promise<void>;
}
