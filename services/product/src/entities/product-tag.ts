import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Product } from './product.js';

/** A tag on a product (once per pair; indexed by tag for "all products tagged x"). */
export const ProductTag = defineEntity({
  name: 'ProductTag',
  tableName: 'product_tags',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    product: p.manyToOne(Product).ref().deleteRule('cascade'),
    tag: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ProductTag = InferEntity<typeof ProductTag>;
