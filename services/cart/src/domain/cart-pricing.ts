import {
  CouponStatus,
  DiscountOriginKind,
  DiscountScope,
  PricingCheck,
  type CartCoupon,
  type CartDiscounts,
  type DiscountOrigin,
} from '../../../../gen/ecommerce/cart/v1/cart.js';
import {
  DiscountLevel,
  DiscountSourceKind,
  type CouponOutcome,
  type DiscountSource,
  type PriceCartResponse,
} from '../../../../gen/ecommerce/discount/v1/discount.js';
import type { Product } from '../../../../gen/ecommerce/product/v1/product.js';
import type { Money } from '../../../../lib/money.js';
import type { CartRecord, LineRecord } from './cart-store.js';
import { isDependencyOutage } from './dependency-outage.js';
import type { Discounts } from './discounts.js';
import { pricingLinesOf } from './pricing-lines.js';

/** What GetCart says of a cart's discounts. */
export interface CartPricing {
  pricingCheck: PricingCheck;
  discounts: CartDiscounts | undefined;
  coupon: CartCoupon | undefined;
}

/** A cart that was not priced (see `check`): no discounts, its coupon not judged. */
export function unpriced(check: PricingCheck, cart: CartRecord): CartPricing {
  return {
    pricingCheck: check,
    discounts: undefined,
    coupon: cart.couponCode
      ? {
          code: cart.couponCode,
          status: CouponStatus.COUPON_STATUS_NOT_CHECKED,
          name: '',
          discount: undefined,
          refusalReason: '',
          refusalMessage: '',
        }
      : undefined,
  };
}

/**
 * The discounts of an active, non-empty cart, from one PriceCart: the lines at their snapshot
 * prices, with their categories from the catalog answer GetCart already has, the cart's coupon,
 * and the owner as the customer. A discount service that cannot answer leaves the cart unpriced
 * (PRICING_CHECK_UNAVAILABLE); the cart is still shown.
 */
export async function priceCart(
  discounts: Discounts,
  cart: CartRecord,
  lines: readonly LineRecord[],
  products: ReadonlyMap<string, Product>,
): Promise<CartPricing> {
  let priced: PriceCartResponse;
  try {
    priced = await discounts.priceCart({
      currency: cart.currency,
      customerId: cart.userId,
      couponCode: cart.couponCode,
      lines: pricingLinesOf(lines, products),
    });
  } catch (error) {
    if (!isDependencyOutage(error)) throw error;
    return unpriced(PricingCheck.PRICING_CHECK_UNAVAILABLE, cart);
  }
  return {
    pricingCheck: PricingCheck.PRICING_CHECK_DONE,
    discounts: cartDiscountsOf(cart.currency, lines, priced),
    coupon: cart.couponCode ? couponOf(cart.couponCode, cart.currency, priced.coupon) : undefined,
  };
}

const ORIGIN_KIND: Partial<Record<DiscountSourceKind, DiscountOriginKind>> = {
  [DiscountSourceKind.DISCOUNT_SOURCE_KIND_PROMOTION]: DiscountOriginKind.DISCOUNT_ORIGIN_KIND_PROMOTION,
  [DiscountSourceKind.DISCOUNT_SOURCE_KIND_COUPON]: DiscountOriginKind.DISCOUNT_ORIGIN_KIND_COUPON,
};

const SCOPE: Partial<Record<DiscountLevel, DiscountScope>> = {
  [DiscountLevel.DISCOUNT_LEVEL_LINE]: DiscountScope.DISCOUNT_SCOPE_LINE,
  [DiscountLevel.DISCOUNT_LEVEL_ORDER]: DiscountScope.DISCOUNT_SCOPE_ORDER,
};

function originOf(source: DiscountSource | undefined): DiscountOrigin | undefined {
  if (!source) return undefined;
  return {
    kind: ORIGIN_KIND[source.kind] ?? DiscountOriginKind.DISCOUNT_ORIGIN_KIND_UNSPECIFIED,
    id: source.id,
    name: source.name,
    code: source.code,
  };
}

/** The discount service's answer in the cart's terms: lines named by item id, in the cart's order. */
function cartDiscountsOf(
  currencyCode: string,
  lines: readonly LineRecord[],
  priced: PriceCartResponse,
): CartDiscounts {
  const money = (amount: Money | undefined): Money => amount ?? { currencyCode, amountMinor: 0 };
  const pricedLines = new Map(priced.lines.map((line) => [line.lineId, line]));
  const totals = priced.totals;
  const lineDiscount = money(totals?.lineDiscount);
  const orderDiscount = money(totals?.orderDiscount);
  return {
    lines: lines.map((line) => {
      const pricedLine = pricedLines.get(line.id);
      return {
        itemId: line.id,
        parts: (pricedLine?.adjustments ?? []).map((adjustment) => ({
          origin: originOf(adjustment.source),
          scope: SCOPE[adjustment.level] ?? DiscountScope.DISCOUNT_SCOPE_UNSPECIFIED,
          amount: money(adjustment.amount),
        })),
        discount: money(pricedLine?.discount),
        total: pricedLine?.total ?? { currencyCode, amountMinor: line.unitPrice * line.quantity },
      };
    }),
    orderDiscounts: priced.orderDiscounts.map((discount) => ({
      origin: originOf(discount.source),
      amount: money(discount.amount),
      shares: discount.allocations.map((share) => ({ itemId: share.lineId, amount: money(share.amount) })),
    })),
    lineDiscount,
    orderDiscount,
    discount: { currencyCode, amountMinor: lineDiscount.amountMinor + orderDiscount.amountMinor },
    discountedSubtotal: money(totals?.discountedSubtotal),
    applied: priced.applied.map((applied) => ({
      origin: originOf(applied.source),
      amount: money(applied.amount),
      explanation: applied.explanation,
    })),
  };
}

/** The cart's coupon as the pricing judged it: applied with what it gives, or refused and why. */
function couponOf(code: string, currencyCode: string, outcome: CouponOutcome | undefined): CartCoupon {
  const coupon = { code, name: '', discount: undefined, refusalReason: '', refusalMessage: '' };
  if (!outcome) return { ...coupon, status: CouponStatus.COUPON_STATUS_NOT_CHECKED };
  if (outcome.applied) {
    return {
      ...coupon,
      status: CouponStatus.COUPON_STATUS_APPLIED,
      name: outcome.source?.name ?? '',
      discount: outcome.discount ?? { currencyCode, amountMinor: 0 },
    };
  }
  return {
    ...coupon,
    status: CouponStatus.COUPON_STATUS_REFUSED,
    refusalReason: outcome.refusal?.reason ?? '',
    refusalMessage: outcome.refusal?.message ?? '',
  };
}
