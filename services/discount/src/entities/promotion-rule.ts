import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Promotion } from './promotion.js';

export type PromotionRuleType = 'buy_quantity' | 'spend_amount' | 'product_match' | 'category_match';

/** A condition of a promotion and what it does when met; deleted with its promotion. */
export const PromotionRule = defineEntity({
  name: 'PromotionRule',
  tableName: 'promotion_rules',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    promotion: p.manyToOne(Promotion).ref().deleteRule('cascade'),
    ruleType: p.text().$type<PromotionRuleType>(),
    conditions: p.json<Record<string, unknown>>().onCreate(() => ({})),
    actions: p.json<Record<string, unknown>>().onCreate(() => ({})),
    priority: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type PromotionRule = InferEntity<typeof PromotionRule>;
