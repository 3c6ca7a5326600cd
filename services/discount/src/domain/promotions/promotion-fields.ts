import type {
  CreatePromotionRequest,
  UpdatePromotionRequest,
} from '../../../../../gen/ecommerce/discount/v1/discount.js';
import type { Violations } from '../../../../../lib/validation/index.js';
import { checkCurrency, checkWindow } from '../checks.js';
import type { PromotionRule } from '../pricing/types.js';
import type { PromotionRecord } from './promotion-record.js';
import { ruleFromInput, ruleHoldsAmount } from './rule-input.js';

/** What is written of a promotion (but its status): checked and normalised. */
export interface PromotionDraft {
  name: string;
  description: string | null;
  priority: number;
  stackable: boolean;
  currency: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  rule: PromotionRule;
}

const MAX_PRIORITY = 1_000_000;

/** A placeholder for a rule at fault (the request is refused; it is never written). */
const NO_RULE: PromotionRule = {
  kind: 'free_shipping',
  target: { productIds: [], categoryIds: [], excludedProductIds: [], excludedCategoryIds: [] },
  minSubtotal: 0,
};

export function promotionDraftOfCreate(v: Violations, request: CreatePromotionRequest): PromotionDraft {
  const currency = checkCurrency(v, 'currency_code', request.currencyCode, true);
  const startsAt = request.startsAt ?? null;
  const endsAt = request.endsAt ?? null;
  checkWindow(v, startsAt, endsAt);
  if (!request.rule)
    v.add(
      'rule',
      'one of product_discount, buy_x_get_y, volume_tiers, bundle, spend_amount, free_shipping is required',
    );
  return {
    name: v.text('name', request.name, 1, 200),
    description: v.optionalText('description', request.description, 2000),
    priority: v.wholeNumber('priority', request.priority, -MAX_PRIORITY, MAX_PRIORITY),
    stackable: request.stackable,
    currency,
    startsAt,
    endsAt,
    rule: request.rule ? ruleFromInput(v, request.rule, currency) : NO_RULE,
  };
}

/**
 * A stored promotion with an update's set fields laid over it, checked whole. A rule kept while
 * the currency changes would have its amounts read in the new currency: such an update must send
 * the rule again.
 */
export function promotionDraftOfUpdate(
  v: Violations,
  current: PromotionRecord,
  update: UpdatePromotionRequest,
): PromotionDraft {
  const currency =
    update.currencyCode === undefined
      ? current.currency
      : checkCurrency(v, 'currency_code', update.currencyCode, true);
  const startsAt = update.clearStartsAt ? null : (update.startsAt ?? current.startsAt);
  const endsAt = update.clearEndsAt ? null : (update.endsAt ?? current.endsAt);
  checkWindow(v, startsAt, endsAt);
  let rule = current.rule;
  if (update.rule) {
    rule = ruleFromInput(v, update.rule, currency);
  } else if (currency !== current.currency && ruleHoldsAmount(current.rule)) {
    v.add(
      'currency_code',
      `the rule's amounts are in ${current.currency}: send the rule again in the new currency`,
    );
  }
  return {
    name: update.name === undefined ? current.name : v.text('name', update.name, 1, 200),
    description:
      update.description === undefined
        ? current.description
        : v.optionalText('description', update.description, 2000),
    priority:
      update.priority === undefined
        ? current.priority
        : v.wholeNumber('priority', update.priority, -MAX_PRIORITY, MAX_PRIORITY),
    stackable: update.stackable ?? current.stackable,
    currency,
    startsAt,
    endsAt,
    rule,
  };
}
