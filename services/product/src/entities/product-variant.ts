import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { Product } from './product.js';

/**
 * A sellable variant of a product (size, colour); carts, orders and stock always name one. `price`
 * null means the product's price; money in minor units of `currency` (the product's). `weight`
 * (kilograms) and `length`/`width`/`height` (centimetres), decimal strings, null mean the product's.
 */
export const ProductVariant = defineEntity({
  name: 'ProductVariant',
  tableName: 'product_variants',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    product: p.manyToOne(Product).ref().deleteRule('cascade'),
    sku: p.text(),
    name: p.text(),
    price: money().nullable(),
    compareAtPrice: money().nullable(),
    currency: p.character().length(3),
    attributes: p.json<Record<string, unknown>>().onCreate(() => ({})),
    imageUrl: p.text().nullable(),
    weight: p.decimal().precision(10).scale(3).nullable(),
    length: p.decimal().precision(10).scale(2).nullable(),
    width: p.decimal().precision(10).scale(2).nullable(),
    height: p.decimal().precision(10).scale(2).nullable(),
    isActive: p.boolean().default(true),
    sortOrder: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ProductVariant = InferEntity<typeof ProductVariant>;
