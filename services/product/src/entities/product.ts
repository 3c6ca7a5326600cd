import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';

export type ProductStatus = 'draft' | 'active' | 'archived';
export type StockStatus = 'in_stock' | 'low_stock' | 'out_of_stock' | 'backorder';

/**
 * A catalog product. Money in minor units (`price`, `compareAtPrice`, `costPrice`, all in
 * `currency`). `weight` is kilograms and `length`/`width`/`height` centimetres, as decimal
 * strings (not money, so no integer mapping). The table also has `search_vector`, a generated
 * tsvector over name, SKU and descriptions with a GIN index, for full-text search in SQL; it is not
 * mapped. `ratingAvg`/`ratingCount` summarise approved reviews.
 */
export const Product = defineEntity({
  name: 'Product',
  tableName: 'products',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    sku: p.text(),
    name: p.text(),
    slug: p.text(),
    description: p.text().nullable(),
    shortDescription: p.text().nullable(),
    price: money(),
    compareAtPrice: money().nullable(),
    costPrice: money().nullable(),
    currency: p.character().length(3),
    status: p.text().$type<ProductStatus>().default('draft'),
    isVisible: p.boolean().default(true),
    stockStatus: p.text().$type<StockStatus>().default('in_stock'),
    weight: p.decimal().precision(10).scale(3).nullable(),
    length: p.decimal().precision(10).scale(2).nullable(),
    width: p.decimal().precision(10).scale(2).nullable(),
    height: p.decimal().precision(10).scale(2).nullable(),
    metaTitle: p.text().nullable(),
    metaDescription: p.text().nullable(),
    attributes: p.json<Record<string, unknown>>().onCreate(() => ({})),
    ratingAvg: p.decimal('number').precision(3).scale(2).default(0),
    ratingCount: p.integer().default(0),
    publishedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Product = InferEntity<typeof Product>;
