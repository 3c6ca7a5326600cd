import type { Money } from '../../../../../gen/ecommerce/common/v1/money.js';
import {
  PromotionKind,
  PromotionStatus,
  type Promotion,
  type PromotionTarget,
} from '../../../../../gen/ecommerce/discount/v1/discount.js';
import type { Benefit, PromotionRule, Target } from '../pricing/types.js';
import type { RuleInput } from './rule-input.js';
import type { PromotionRecord } from './promotion-record.js';
import { effectiveStatus, type PromotionStatus as Status } from './promotion-status.js';

const STATUS: Record<Status, PromotionStatus> = {
  draft: PromotionStatus.PROMOTION_STATUS_DRAFT,
  active: PromotionStatus.PROMOTION_STATUS_ACTIVE,
  paused: PromotionStatus.PROMOTION_STATUS_PAUSED,
  expired: PromotionStatus.PROMOTION_STATUS_EXPIRED,
};

const KIND: Record<PromotionRule['kind'], PromotionKind> = {
  product_discount: PromotionKind.PROMOTION_KIND_PRODUCT_DISCOUNT,
  buy_x_get_y: PromotionKind.PROMOTION_KIND_BUY_X_GET_Y,
  volume_tiers: PromotionKind.PROMOTION_KIND_VOLUME_TIERS,
  bundle: PromotionKind.PROMOTION_KIND_BUNDLE,
  spend_amount: PromotionKind.PROMOTION_KIND_SPEND_AMOUNT,
  free_shipping: PromotionKind.PROMOTION_KIND_FREE_SHIPPING,
};

export const statusMessageOf = (status: Status): PromotionStatus => STATUS[status];
export const kindMessageOf = (kind: PromotionRule['kind']): PromotionKind => KIND[kind];

/** The kind a listing filter names, or undefined for "every kind". */
export function kindOfMessage(kind: PromotionKind): PromotionRule['kind'] | undefined {
  return (Object.keys(KIND) as PromotionRule['kind'][]).find((key) => KIND[key] === kind);
}

export function statusOfMessage(status: PromotionStatus): Status | undefined {
  return (Object.keys(STATUS) as Status[]).find((key) => STATUS[key] === status);
}

function targetMessage(target: Target): PromotionTarget {
  return {
    productIds: [...target.productIds],
    categoryIds: [...target.categoryIds],
    excludedProductIds: [...target.excludedProductIds],
    excludedCategoryIds: [...target.excludedCategoryIds],
  };
}

function threshold(amount: number, currency: string): Money | undefined {
  return amount > 0 ? { currencyCode: currency, amountMinor: amount } : undefined;
}

function benefitMessage<K extends 'amountOffPerUnit' | 'amountOff'>(
  benefit: Benefit,
  amountCase: K,
  currency: string,
) {
  return benefit.type === 'percent'
    ? { $case: 'percentOffBp' as const, value: benefit.bp }
    : { $case: amountCase, value: { currencyCode: currency, amountMinor: benefit.amount } };
}

/** A rule as the contract carries it (the inverse of ruleFromInput). */
export function ruleMessage(rule: PromotionRule, currency: string): RuleInput {
  switch (rule.kind) {
    case 'product_discount':
      return {
        $case: 'productDiscount',
        value: {
          target: targetMessage(rule.target),
          benefit: benefitMessage(rule.benefit, 'amountOffPerUnit', currency),
        },
      };
    case 'buy_x_get_y':
      return {
        $case: 'buyXGetY',
        value: {
          target: targetMessage(rule.target),
          buyQuantity: rule.buyQuantity,
          getQuantity: rule.getQuantity,
          percentOffBp: rule.percentOffBp,
          maxApplications: rule.maxApplications,
        },
      };
    case 'volume_tiers':
      return {
        $case: 'volumeTiers',
        value: { target: targetMessage(rule.target), tiers: rule.tiers.map((tier) => ({ ...tier })) },
      };
    case 'bundle':
      return {
        $case: 'bundle',
        value: {
          components: rule.components.map((c) => ({ target: targetMessage(c.target), quantity: c.quantity })),
          percentOffBp: rule.percentOffBp,
          maxApplications: rule.maxApplications,
        },
      };
    case 'spend_amount':
      return {
        $case: 'spendAmount',
        value: {
          target: targetMessage(rule.target),
          minSubtotal: threshold(rule.minSubtotal, currency),
          benefit: benefitMessage(rule.benefit, 'amountOff', currency),
        },
      };
    case 'free_shipping':
      return {
        $case: 'freeShipping',
        value: { target: targetMessage(rule.target), minSubtotal: threshold(rule.minSubtotal, currency) },
      };
  }
}

export function promotionMessage(promotion: PromotionRecord, now: Date): Promotion {
  return {
    id: promotion.id,
    name: promotion.name,
    description: promotion.description ?? '',
    status: STATUS[effectiveStatus(promotion, now)],
    setStatus: STATUS[promotion.status === 'expired' ? 'paused' : promotion.status],
    priority: promotion.priority,
    stackable: promotion.stackable,
    currencyCode: promotion.currency ?? '',
    startsAt: promotion.startsAt ?? undefined,
    endsAt: promotion.endsAt ?? undefined,
    kind: KIND[promotion.rule.kind],
    rule: ruleMessage(promotion.rule, promotion.currency ?? ''),
    createdAt: promotion.createdAt,
    updatedAt: promotion.updatedAt,
  };
}
