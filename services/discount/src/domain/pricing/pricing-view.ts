import type { Money } from '../../../../../gen/ecommerce/common/v1/money.js';
import {
  DiscountLevel as LevelMessage,
  DiscountSourceKind,
  type CouponOutcome,
  type DiscountSource as SourceMessage,
  type PriceCartResponse,
} from '../../../../../gen/ecommerce/discount/v1/discount.js';
import type { CouponRefusal, DiscountLevel, DiscountSource, PricingResult } from './types.js';

const LEVEL: Record<DiscountLevel, LevelMessage> = {
  line: LevelMessage.DISCOUNT_LEVEL_LINE,
  order: LevelMessage.DISCOUNT_LEVEL_ORDER,
  shipping: LevelMessage.DISCOUNT_LEVEL_SHIPPING,
};

function sourceMessage(source: DiscountSource): SourceMessage {
  return {
    kind:
      source.kind === 'coupon'
        ? DiscountSourceKind.DISCOUNT_SOURCE_KIND_COUPON
        : DiscountSourceKind.DISCOUNT_SOURCE_KIND_PROMOTION,
    id: source.id,
    name: source.name,
    code: source.code ?? '',
  };
}

/** What became of the request's coupon, beside the engine's answer. */
export interface CouponContext {
  code: string;
  /** The coupon, when the code is known. */
  source?: DiscountSource;
  /** Refused before pricing (unknown, inactive, dates, currency, limits). */
  refusal?: CouponRefusal;
}

export function priceCartResponse(
  result: PricingResult,
  coupon: CouponContext | undefined,
): PriceCartResponse {
  const currencyCode = result.currency;
  const money = (amountMinor: number): Money => ({ currencyCode, amountMinor });
  let couponOutcome: CouponOutcome | undefined;
  if (coupon) {
    const refusal = coupon.refusal ?? result.coupon?.refusal;
    couponOutcome = {
      code: coupon.code,
      applied: !refusal && result.coupon?.applied === true,
      source: coupon.source ? sourceMessage(coupon.source) : undefined,
      discount: money(refusal ? 0 : (result.coupon?.discount ?? 0)),
      refusal: refusal ? { reason: refusal.reason, message: refusal.message } : undefined,
    };
  }
  const { totals } = result;
  return {
    currencyCode,
    lines: result.lines.map((line) => ({
      lineId: line.lineId,
      subtotal: money(line.subtotal),
      adjustments: line.adjustments.map((adjustment) => ({
        source: sourceMessage(adjustment.source),
        level: LEVEL[adjustment.level],
        amount: money(adjustment.amount),
      })),
      discount: money(line.discount),
      total: money(line.total),
    })),
    orderDiscounts: result.orderDiscounts.map((discount) => ({
      source: sourceMessage(discount.source),
      amount: money(discount.amount),
      allocations: discount.allocations.map((share) => ({
        lineId: share.lineId,
        amount: money(share.amount),
      })),
    })),
    applied: result.applied.map((applied) => ({
      source: sourceMessage(applied.source),
      level: LEVEL[applied.level],
      amount: money(applied.amount),
      explanation: applied.explanation,
    })),
    setAside: result.setAside.map((aside) => ({
      source: sourceMessage(aside.source),
      amount: money(aside.amount),
      explanation: aside.explanation,
    })),
    coupon: couponOutcome,
    totals: {
      subtotal: money(totals.subtotal),
      lineDiscount: money(totals.lineDiscount),
      orderDiscount: money(totals.orderDiscount),
      discountedSubtotal: money(totals.discountedSubtotal),
      shipping: money(totals.shipping),
      shippingDiscount: money(totals.shippingDiscount),
      shippingTotal: money(totals.shippingTotal),
      discount: money(totals.discount),
      total: money(totals.total),
    },
    shippingDiscountSource: result.shippingDiscountSource
      ? sourceMessage(result.shippingDiscountSource)
      : undefined,
  };
}
