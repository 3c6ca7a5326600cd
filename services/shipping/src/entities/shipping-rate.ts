import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { ShippingMethod } from './shipping-method.js';

/**
 * A price tier of a method: applies when minWeight ≤ weight < maxWeight and
 * minAmount ≤ order amount < maxAmount (a null maximum is unbounded). Weights are kilograms as
 * decimal strings ('1.250'); amounts and `rate` are minor units of `currency`.
 */
export const ShippingRate = defineEntity({
  name: 'ShippingRate',
  tableName: 'shipping_rates',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    method: p.manyToOne(ShippingMethod).ref().deleteRule('cascade'),
    minWeight: p.decimal().precision(10).scale(3).default('0'),
    maxWeight: p.decimal().precision(10).scale(3).nullable(),
    minAmount: money().default(0),
    maxAmount: money().nullable(),
    rate: money(),
    currency: p.character().length(3),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ShippingRate = InferEntity<typeof ShippingRate>;
