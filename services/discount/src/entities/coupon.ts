import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';

export type CouponType = 'percentage' | 'fixed_amount' | 'free_shipping';

/**
 * A coupon code, unique case-insensitively (the index is on `upper(code)`: look codes up with
 * `upper(code) = upper(?)`, or store them upper-case). `discountValue` is minor units of `currency`
 * for `fixed_amount`, and hundredths of a percent for `percentage` (1500 = 15 %, at most 10000).
 * `minimumAmount` and `maximumDiscount` are minor units. The database holds
 * usageCount ≤ usageLimit, so redeeming is one conditional UPDATE that cannot over-redeem.
 * The applicable/excluded lists are JSON arrays of product and category ids (UUIDs).
 */
export const Coupon = defineEntity({
  name: 'Coupon',
  tableName: 'coupons',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    code: p.text(),
    name: p.text(),
    description: p.text().nullable(),
    type: p.text().$type<CouponType>(),
    discountValue: money().default(0),
    minimumAmount: money().nullable(),
    maximumDiscount: money().nullable(),
    currency: p.character().length(3),
    usageLimit: p.integer().nullable(),
    usageCount: p.integer().default(0),
    usageLimitPerUser: p.integer().nullable(),
    startsAt: p.datetime().nullable(),
    endsAt: p.datetime().nullable(),
    isActive: p.boolean().default(true),
    applicableProducts: p.json<string[]>().onCreate(() => []),
    applicableCategories: p.json<string[]>().onCreate(() => []),
    excludedProducts: p.json<string[]>().onCreate(() => []),
    excludedCategories: p.json<string[]>().onCreate(() => []),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Coupon = InferEntity<typeof Coupon>;
