import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

export type PromotionType =
  'buy_x_get_y' | 'bundle' | 'volume_discount' | 'percentage_off' | 'fixed_amount_off' | 'free_shipping';
export type PromotionStatus = 'draft' | 'active' | 'paused' | 'expired';

/**
 * An automatic campaign. Applied in `priority` order (higher first); a non-`stackable` promotion
 * excludes the others. Amounts inside `configuration` are minor units.
 */
export const Promotion = defineEntity({
  name: 'Promotion',
  tableName: 'promotions',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    name: p.text(),
    description: p.text().nullable(),
    type: p.text().$type<PromotionType>(),
    status: p.text().$type<PromotionStatus>().default('draft'),
    startsAt: p.datetime().nullable(),
    endsAt: p.datetime().nullable(),
    isActive: p.boolean().default(true),
    stackable: p.boolean().default(false),
    priority: p.integer().default(0),
    /** The only currency of the carts it prices; null: any. */
    currency: p.character().length(3).nullable(),
    configuration: p.json<Record<string, unknown>>().onCreate(() => ({})),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Promotion = InferEntity<typeof Promotion>;
