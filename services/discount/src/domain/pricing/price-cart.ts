import { applyCoupon } from './coupon-rule.js';
import { byPriorityThenId, choosePromotions } from './exclusivity.js';
import type { PromotionEffect } from './promotion-outcome.js';
import type {
  AppliedDiscount,
  CouponResult,
  DiscountSource,
  LineAdjustment,
  OrderDiscount,
  PricingInput,
  PricingPromotion,
  PricingResult,
} from './types.js';
import { sumOf, type WorkLine } from './work-line.js';

function promotionSource(promotion: PricingPromotion): DiscountSource {
  return { kind: 'promotion', id: promotion.id, name: promotion.name };
}

/**
 * Prices a cart by the pricing rule (docs/pricing.md), a pure function of its input: the lines
 * are worked on in line id order and the promotions in priority order (ties by id), so the order
 * they arrive in never changes the answer. Every amount is integer minor units; no line, total or
 * shipping goes below 0. The lines of the answer are in the order of the input.
 */
export function priceCart(input: PricingInput): PricingResult {
  const { currency } = input;
  const lines: WorkLine[] = [...input.lines]
    .sort((a, b) => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0))
    .map((line, position) => ({ line, position, subtotal: line.unitPrice * line.quantity }));
  const promotions = input.promotions
    .filter((promotion) => promotion.currency === null || promotion.currency === currency)
    .sort(byPriorityThenId);

  const { outcome, setAside } = choosePromotions(promotions, lines, input.shipping, currency);
  const remaining = [...outcome.remaining];
  let shippingLeft = outcome.shippingLeft;
  const adjustments: LineAdjustment[][] = lines.map(() => []);
  const orderDiscounts: OrderDiscount[] = [];
  const appliedOf = (effect: PromotionEffect): AppliedDiscount => ({
    source: promotionSource(effect.promotion),
    level: effect.level,
    amount: effect.total,
    explanation: effect.explanation,
  });
  const allocationsOf = (amounts: readonly number[]) =>
    lines.flatMap(({ line, position }) =>
      amounts[position]! > 0 ? [{ lineId: line.lineId, amount: amounts[position]! }] : [],
    );

  const applied: AppliedDiscount[] = [];
  let shippingDiscountSource: DiscountSource | undefined;
  for (const effect of outcome.effects) {
    if (effect.level === 'shipping') continue;
    const source = promotionSource(effect.promotion);
    effect.amounts.forEach((amount, position) => {
      if (amount > 0) adjustments[position]!.push({ source, level: effect.level, amount });
    });
    if (effect.level === 'order') {
      orderDiscounts.push({ source, amount: effect.total, allocations: allocationsOf(effect.amounts) });
    }
    applied.push(appliedOf(effect));
  }
  const shippingEffect = outcome.effects.find((effect) => effect.level === 'shipping');

  let coupon: CouponResult | undefined;
  if (input.coupon) {
    const source: DiscountSource = {
      kind: 'coupon',
      id: input.coupon.id,
      name: input.coupon.name,
      code: input.coupon.code,
    };
    const result = applyCoupon(input.coupon, lines, remaining, shippingLeft, currency);
    if (!result.applied) {
      coupon = { applied: false, discount: 0, refusal: result.refusal };
    } else {
      result.amounts.forEach((amount, position) => {
        if (amount === 0) return;
        remaining[position]! -= amount;
        adjustments[position]!.push({ source, level: 'order', amount });
      });
      if (result.lineDiscount > 0) {
        orderDiscounts.push({
          source,
          amount: result.lineDiscount,
          allocations: allocationsOf(result.amounts),
        });
      }
      shippingLeft -= result.shippingDiscount;
      const discount = result.lineDiscount + result.shippingDiscount;
      coupon = { applied: true, discount };
      if (discount > 0) {
        applied.push({
          source,
          level: result.shippingDiscount > 0 ? 'shipping' : 'order',
          amount: discount,
          explanation: result.explanation,
        });
      }
      if (result.shippingDiscount > 0) shippingDiscountSource = source;
    }
  }
  if (shippingEffect) {
    applied.push(appliedOf(shippingEffect));
    shippingDiscountSource = promotionSource(shippingEffect.promotion);
  }

  const priced = lines.map(({ line, position, subtotal }) => {
    const discount = subtotal - remaining[position]!;
    return {
      lineId: line.lineId,
      subtotal,
      adjustments: adjustments[position]!,
      discount,
      total: remaining[position]!,
    };
  });
  const byId = new Map(priced.map((line) => [line.lineId, line]));
  const subtotal = sumOf(lines.map((line) => line.subtotal));
  const lineDiscount = sumOf(
    outcome.effects.filter((effect) => effect.level === 'line').map((effect) => effect.total),
  );
  const discountedSubtotal = sumOf(remaining);
  const orderDiscount = subtotal - lineDiscount - discountedSubtotal;
  const shippingDiscount = input.shipping - shippingLeft;
  return {
    currency,
    lines: input.lines.map((line) => byId.get(line.lineId)!),
    orderDiscounts,
    applied,
    setAside,
    coupon,
    shippingDiscountSource,
    totals: {
      subtotal,
      lineDiscount,
      orderDiscount,
      discountedSubtotal,
      shipping: input.shipping,
      shippingDiscount,
      shippingTotal: shippingLeft,
      discount: lineDiscount + orderDiscount + shippingDiscount,
      total: discountedSubtotal + shippingLeft,
    },
  };
}
