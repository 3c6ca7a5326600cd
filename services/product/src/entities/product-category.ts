import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Category } from './category.js';
import { Product } from './product.js';

/** A product in a category (once per pair); goes with either side. */
export const ProductCategory = defineEntity({
  name: 'ProductCategory',
  tableName: 'product_categories',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    product: p.manyToOne(Product).ref().deleteRule('cascade'),
    category: p.manyToOne(Category).ref().deleteRule('cascade'),
    sortOrder: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ProductCategory = InferEntity<typeof ProductCategory>;
