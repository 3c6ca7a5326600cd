import { buyXGetY, bundle, productDiscount, volumeTiers } from './line-rules.js';
import { freeShippingExplanation, qualifiesForFreeShipping, spendAmount } from './order-rules.js';
import type { DiscountLevel, PricingPromotion, PromotionRule } from './types.js';
import { sumOf, type RuleOutcome, type WorkLine } from './work-line.js';

/** What one promotion gave in an outcome. */
export interface PromotionEffect {
  promotion: PricingPromotion;
  level: DiscountLevel;
  /** Per line position (line and order levels); all 0 for shipping. */
  amounts: number[];
  /** The shipping discount (shipping level). */
  shipping: number;
  total: number;
  explanation: string;
}

/** A set of promotions applied to a cart: what each gave, and what is left of the lines and shipping. */
export interface PromotionOutcome {
  effects: PromotionEffect[];
  remaining: number[];
  shippingLeft: number;
  total: number;
}

export function levelOf(rule: PromotionRule): DiscountLevel {
  if (rule.kind === 'spend_amount') return 'order';
  if (rule.kind === 'free_shipping') return 'shipping';
  return 'line';
}

function applyLineRule(
  rule: PromotionRule,
  lines: readonly WorkLine[],
  remaining: readonly number[],
  currency: string,
): RuleOutcome | null {
  switch (rule.kind) {
    case 'product_discount':
      return productDiscount(rule, lines, remaining, currency);
    case 'buy_x_get_y':
      return buyXGetY(rule, lines, remaining);
    case 'volume_tiers':
      return volumeTiers(rule, lines, remaining);
    case 'bundle':
      return bundle(rule, lines, remaining);
    default:
      return null;
  }
}

/**
 * Applies promotions (already in priority order) to the lines: line promotions each on what the
 * previous left, then order promotions (thresholds on the line-discounted amounts, discounts on
 * what is left), then free shipping (the first that qualifies takes the whole shipping).
 */
export function applyPromotions(
  promotions: readonly PricingPromotion[],
  lines: readonly WorkLine[],
  shipping: number,
  currency: string,
): PromotionOutcome {
  const remaining = lines.map((line) => line.subtotal);
  const effects: PromotionEffect[] = [];
  const record = (promotion: PricingPromotion, level: DiscountLevel, result: RuleOutcome): void => {
    result.amounts.forEach((amount, position) => (remaining[position]! -= amount));
    effects.push({
      promotion,
      level,
      amounts: result.amounts,
      shipping: 0,
      total: sumOf(result.amounts),
      explanation: result.explanation,
    });
  };

  for (const promotion of promotions) {
    if (levelOf(promotion.rule) !== 'line') continue;
    const result = applyLineRule(promotion.rule, lines, remaining, currency);
    if (result) record(promotion, 'line', result);
  }
  const afterLines = [...remaining];
  for (const promotion of promotions) {
    if (promotion.rule.kind !== 'spend_amount') continue;
    const result = spendAmount(promotion.rule, lines, afterLines, remaining, currency);
    if (result) record(promotion, 'order', result);
  }
  let shippingLeft = shipping;
  for (const promotion of promotions) {
    if (promotion.rule.kind !== 'free_shipping' || shippingLeft === 0) continue;
    if (!qualifiesForFreeShipping(promotion.rule, lines, afterLines)) continue;
    effects.push({
      promotion,
      level: 'shipping',
      amounts: lines.map(() => 0),
      shipping: shippingLeft,
      total: shippingLeft,
      explanation: freeShippingExplanation(promotion.rule, currency),
    });
    shippingLeft = 0;
  }
  return { effects, remaining, shippingLeft, total: sumOf(effects.map((effect) => effect.total)) };
}
