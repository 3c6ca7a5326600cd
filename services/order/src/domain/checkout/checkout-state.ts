import type { Money } from '../../../../../lib/money.js';
import type { Buyer, CartOwner, CheckoutAddress, PaymentSource } from './checkout-ports.js';

/** What the shopper asked for: saved with the order, so the recovery can finish without them. */
export interface CheckoutRequest {
  cartId: string;
  owner: CartOwner;
  buyer: Buyer;
  address: CheckoutAddress;
  shippingMethodId: string;
  /** A one-time gateway token is kept only until the payment is authorised. */
  payment: PaymentSource;
  /** The total the shopper was shown and accepts, when sent. */
  expectedTotal: Money | null;
}

/** One line as the checkout prices it: the cart's line, with what the catalog says now. */
export interface CheckoutLine {
  lineId: string;
  productId: string;
  variantId: string;
  productName: string;
  sku: string;
  quantity: number;
  unitPriceMinor: number;
  categoryIds: string[];
}

export interface CheckoutTotals {
  subtotalMinor: number;
  discountTotalMinor: number;
  shippingTotalMinor: number;
  taxTotalMinor: number;
  grandTotalMinor: number;
}

/**
 * The checkout saga's state (orders.checkout_state): the request, then what each step found, in
 * the order the steps run. Plain JSON: it is saved after every step and read back by the recovery.
 */
export interface CheckoutState {
  orderId: string;
  /** Recorded with the order (absent from sagas recorded before it was kept here). */
  orderNumber?: string;
  request: CheckoutRequest;
  currency?: string;
  couponCode?: string | null;
  lines?: CheckoutLine[];
  shipping?: { methodName: string; priceMinor: number };
  discounts?: {
    lineDiscounts: Record<string, number>;
    shippingDiscountMinor: number;
    couponDiscountMinor: number;
    promotions: { promotionId: string; discountMinor: number }[];
  };
  tax?: { lineTaxes: Record<string, number>; shippingTaxMinor: number; jurisdiction: string | null };
  totals?: CheckoutTotals;
  paymentId?: string;
  /** The payment was captured with its authorisation (absent from sagas recorded before: they capture after). */
  captured?: boolean;
}

/** Reads a part of the state a previous step must have written: its absence is a bug, not a refusal. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`checkout state has no ${what}: a step ran out of order`);
  return value;
}
