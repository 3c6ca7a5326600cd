import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Product } from './product.js';

/** An image of a product. At most one `isPrimary` per product (partial unique index). */
export const ProductImage = defineEntity({
  name: 'ProductImage',
  tableName: 'product_images',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    product: p.manyToOne(Product).ref().deleteRule('cascade'),
    url: p.text(),
    altText: p.text().nullable(),
    sortOrder: p.integer().default(0),
    isPrimary: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ProductImage = InferEntity<typeof ProductImage>;
