import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Product } from './product.js';
import { ProductVariant } from './product-variant.js';

/**
 * Stock of one variant at one location (unique pair). The database guarantees
 * 0 ≤ reservedQuantity ≤ quantity, so a reservation is one conditional UPDATE
 * (`SET reserved_quantity = reserved_quantity + n WHERE available_quantity >= n`) that cannot
 * oversell. `availableQuantity` is a generated column (quantity − reserved_quantity): read-only,
 * refreshed by MikroORM after each insert/update.
 */
export const Inventory = defineEntity({
  name: 'Inventory',
  tableName: 'inventory',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    product: p.manyToOne(Product).ref().deleteRule('cascade'),
    variant: p.manyToOne(ProductVariant).ref().deleteRule('cascade'),
    location: p.text().default('default'),
    quantity: p.integer().default(0),
    reservedQuantity: p.integer().default(0),
    availableQuantity: p.integer().generated('(quantity - reserved_quantity) stored').nullable(),
    lowStockThreshold: p.integer().default(0),
    lastRestockedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Inventory = InferEntity<typeof Inventory>;
