import type { Money } from '../../../../../gen/ecommerce/common/v1/money.js';
import type {
  BundleRule,
  BuyXGetYRule,
  CreatePromotionRequest,
  FreeShippingRule,
  ProductDiscountRule,
  PromotionTarget,
  SpendAmountRule,
  VolumeTiersRule,
} from '../../../../../gen/ecommerce/discount/v1/discount.js';
import type { Violations } from '../../../../../lib/validation/index.js';
import { checkAmount, checkBasisPoints, checkIds } from '../checks.js';
import type { Benefit, PromotionRule, Target } from '../pricing/types.js';

/** A rule as a request carries it (the `rule` oneof of Create/UpdatePromotionRequest). */
export type RuleInput = NonNullable<CreatePromotionRequest['rule']>;

const FIELD_OF: Record<RuleInput['$case'], string> = {
  productDiscount: 'product_discount',
  buyXGetY: 'buy_x_get_y',
  volumeTiers: 'volume_tiers',
  bundle: 'bundle',
  spendAmount: 'spend_amount',
  freeShipping: 'free_shipping',
};

const MAX_COUNT = 1000;
const MAX_APPLICATIONS = 100_000;

/** The currency a rule's amounts need: the promotion's, which must then be set. */
function amountCurrency(v: Violations, currency: string | null): string | null {
  if (currency === null && !v.has('currency_code'))
    v.add('currency_code', 'is required when the rule holds an amount');
  return currency;
}

function whole(v: Violations, field: string, value: number, min: number, max: number): number {
  return v.wholeNumber(field, value, min, max);
}

function target(v: Violations, field: string, input: PromotionTarget | undefined): Target {
  return {
    productIds: checkIds(v, `${field}.product_ids`, input?.productIds ?? []),
    categoryIds: checkIds(v, `${field}.category_ids`, input?.categoryIds ?? []),
    excludedProductIds: checkIds(v, `${field}.excluded_product_ids`, input?.excludedProductIds ?? []),
    excludedCategoryIds: checkIds(v, `${field}.excluded_category_ids`, input?.excludedCategoryIds ?? []),
  };
}

function optionalThreshold(
  v: Violations,
  field: string,
  money: Money | undefined,
  currency: string | null,
): number {
  if (!money) return 0;
  return checkAmount(v, field, money, amountCurrency(v, currency));
}

/** The `benefit` oneof of a rule named `f`: a percentage, or an amount in the promotion's currency. */
function benefit(
  v: Violations,
  f: string,
  input:
    | { $case: 'percentOffBp'; value: number }
    | { $case: 'amountOffPerUnit' | 'amountOff'; value: Money }
    | undefined,
  currency: string | null,
): Benefit {
  if (!input) {
    v.add(`${f}.benefit`, 'one of percent_off_bp or an amount is required');
    return { type: 'percent', bp: 0 };
  }
  if (input.$case === 'percentOffBp') {
    return { type: 'percent', bp: checkBasisPoints(v, `${f}.percent_off_bp`, input.value) };
  }
  const field = `${f}.${input.$case === 'amountOffPerUnit' ? 'amount_off_per_unit' : 'amount_off'}`;
  return {
    type: 'amount',
    amount: checkAmount(v, field, input.value, amountCurrency(v, currency), { positive: true }),
  };
}

function productDiscount(
  v: Violations,
  f: string,
  rule: ProductDiscountRule,
  currency: string | null,
): PromotionRule {
  return {
    kind: 'product_discount',
    target: target(v, `${f}.target`, rule.target),
    benefit: benefit(v, f, rule.benefit, currency),
  };
}

function buyXGetY(v: Violations, f: string, rule: BuyXGetYRule): PromotionRule {
  return {
    kind: 'buy_x_get_y',
    target: target(v, `${f}.target`, rule.target),
    buyQuantity: whole(v, `${f}.buy_quantity`, rule.buyQuantity, 1, MAX_COUNT),
    getQuantity: whole(v, `${f}.get_quantity`, rule.getQuantity, 1, MAX_COUNT),
    percentOffBp: checkBasisPoints(v, `${f}.percent_off_bp`, rule.percentOffBp),
    maxApplications: whole(v, `${f}.max_applications`, rule.maxApplications, 0, MAX_APPLICATIONS),
  };
}

function volumeTiers(v: Violations, f: string, rule: VolumeTiersRule): PromotionRule {
  if (rule.tiers.length === 0 || rule.tiers.length > 20) v.add(`${f}.tiers`, 'must hold 1-20 tiers');
  const tiers = rule.tiers.map((tier, i) => ({
    minQuantity: whole(v, `${f}.tiers[${i}].min_quantity`, tier.minQuantity, 1, 100_000),
    percentOffBp: checkBasisPoints(v, `${f}.tiers[${i}].percent_off_bp`, tier.percentOffBp),
  }));
  tiers.forEach((tier, i) => {
    if (i > 0 && tier.minQuantity <= tiers[i - 1]!.minQuantity) {
      v.add(`${f}.tiers[${i}].min_quantity`, 'must be more than the tier before');
    }
  });
  return { kind: 'volume_tiers', target: target(v, `${f}.target`, rule.target), tiers };
}

function bundle(v: Violations, f: string, rule: BundleRule): PromotionRule {
  if (rule.components.length < 2 || rule.components.length > 10)
    v.add(`${f}.components`, 'must hold 2-10 components');
  return {
    kind: 'bundle',
    components: rule.components.map((component, i) => ({
      target: target(v, `${f}.components[${i}].target`, component.target),
      quantity: whole(v, `${f}.components[${i}].quantity`, component.quantity, 1, MAX_COUNT),
    })),
    percentOffBp: checkBasisPoints(v, `${f}.percent_off_bp`, rule.percentOffBp),
    maxApplications: whole(v, `${f}.max_applications`, rule.maxApplications, 0, MAX_APPLICATIONS),
  };
}

function spendAmount(
  v: Violations,
  f: string,
  rule: SpendAmountRule,
  currency: string | null,
): PromotionRule {
  return {
    kind: 'spend_amount',
    target: target(v, `${f}.target`, rule.target),
    minSubtotal: optionalThreshold(v, `${f}.min_subtotal`, rule.minSubtotal, currency),
    benefit: benefit(v, f, rule.benefit, currency),
  };
}

function freeShipping(
  v: Violations,
  f: string,
  rule: FreeShippingRule,
  currency: string | null,
): PromotionRule {
  return {
    kind: 'free_shipping',
    target: target(v, `${f}.target`, rule.target),
    minSubtotal: optionalThreshold(v, `${f}.min_subtotal`, rule.minSubtotal, currency),
  };
}

/**
 * A request's rule as the engine's typed rule, every field at fault added to `v` (named from the
 * request's root: `buy_x_get_y.buy_quantity`, `bundle.components[1].target.product_ids[0]`).
 * Amounts are in `currency`, the promotion's, which they require.
 */
export function ruleFromInput(v: Violations, input: RuleInput, currency: string | null): PromotionRule {
  const f = FIELD_OF[input.$case];
  switch (input.$case) {
    case 'productDiscount':
      return productDiscount(v, f, input.value, currency);
    case 'buyXGetY':
      return buyXGetY(v, f, input.value);
    case 'volumeTiers':
      return volumeTiers(v, f, input.value);
    case 'bundle':
      return bundle(v, f, input.value);
    case 'spendAmount':
      return spendAmount(v, f, input.value, currency);
    case 'freeShipping':
      return freeShipping(v, f, input.value, currency);
  }
}

/** Whether a rule holds an amount (and so needs its promotion's currency). */
export function ruleHoldsAmount(rule: PromotionRule): boolean {
  switch (rule.kind) {
    case 'product_discount':
      return rule.benefit.type === 'amount';
    case 'spend_amount':
      return rule.benefit.type === 'amount' || rule.minSubtotal > 0;
    case 'free_shipping':
      return rule.minSubtotal > 0;
    default:
      return false;
  }
}
