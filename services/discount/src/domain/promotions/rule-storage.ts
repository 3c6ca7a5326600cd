import type { PromotionRule } from '../pricing/types.js';

/**
 * How a promotion's rule is stored: one `promotion_rules` row per promotion, `conditions` saying
 * when and on which lines it applies (with `version` 1 and the rule's `kind`), `actions` what it
 * gives. `promotions.type` and `promotion_rules.rule_type` keep the families the first schema
 * named (what it gives; what it looks at), derived from the rule, for reports and the database's
 * checks. This file is the only place that knows the mapping.
 */
export interface StoredRule {
  promotionType:
    'buy_x_get_y' | 'bundle' | 'volume_discount' | 'percentage_off' | 'fixed_amount_off' | 'free_shipping';
  ruleType: 'buy_quantity' | 'spend_amount' | 'product_match';
  conditions: Record<string, unknown>;
  actions: Record<string, unknown>;
}

const VERSION = 1;

export function storedRuleOf(rule: PromotionRule): StoredRule {
  const head = { version: VERSION, kind: rule.kind };
  switch (rule.kind) {
    case 'product_discount':
      return {
        promotionType: rule.benefit.type === 'percent' ? 'percentage_off' : 'fixed_amount_off',
        ruleType: 'product_match',
        conditions: { ...head, target: rule.target },
        actions: { benefit: rule.benefit },
      };
    case 'buy_x_get_y':
      return {
        promotionType: 'buy_x_get_y',
        ruleType: 'buy_quantity',
        conditions: { ...head, target: rule.target, buyQuantity: rule.buyQuantity },
        actions: {
          getQuantity: rule.getQuantity,
          percentOffBp: rule.percentOffBp,
          maxApplications: rule.maxApplications,
        },
      };
    case 'volume_tiers':
      return {
        promotionType: 'volume_discount',
        ruleType: 'buy_quantity',
        conditions: { ...head, target: rule.target },
        actions: { tiers: rule.tiers },
      };
    case 'bundle':
      return {
        promotionType: 'bundle',
        ruleType: 'buy_quantity',
        conditions: { ...head, components: rule.components },
        actions: { percentOffBp: rule.percentOffBp, maxApplications: rule.maxApplications },
      };
    case 'spend_amount':
      return {
        promotionType: rule.benefit.type === 'percent' ? 'percentage_off' : 'fixed_amount_off',
        ruleType: 'spend_amount',
        conditions: { ...head, target: rule.target, minSubtotal: rule.minSubtotal },
        actions: { benefit: rule.benefit },
      };
    case 'free_shipping':
      return {
        promotionType: 'free_shipping',
        ruleType: 'spend_amount',
        conditions: { ...head, target: rule.target, minSubtotal: rule.minSubtotal },
        actions: { freeShipping: true },
      };
  }
}

const KINDS = new Set<string>([
  'product_discount',
  'buy_x_get_y',
  'volume_tiers',
  'bundle',
  'spend_amount',
  'free_shipping',
]);

/** The rule a row holds (written by storedRuleOf, so checked on its way in). */
export function ruleFromStored(conditions: unknown, actions: unknown): PromotionRule {
  const when = (typeof conditions === 'string' ? JSON.parse(conditions) : conditions) as Record<
    string,
    unknown
  >;
  const what = (typeof actions === 'string' ? JSON.parse(actions) : actions) as Record<string, unknown>;
  if (when.version !== VERSION || typeof when.kind !== 'string' || !KINDS.has(when.kind)) {
    throw new Error(`promotion rule of an unknown shape: ${JSON.stringify(when).slice(0, 200)}`);
  }
  const { version: _version, ...rest } = when;
  const rule = { ...rest, ...what } as Record<string, unknown>;
  delete rule.freeShipping;
  return rule as unknown as PromotionRule;
}
